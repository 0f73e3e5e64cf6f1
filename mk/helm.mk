# helm: the chart helm/todo-app: install, upgrade, test, rollback, diff, lint and the charts-test suite.

## Pinned tool versions; built once from the Go module proxy into TOOLS_CACHE (make deps-helm).
HELM_VERSION ?= v3.19.0
KUBE_SCORE_VERSION ?= v1.20.0
## Prometheus' Go module version whose cmd/promtool checks the chart's alerting rules (v0.316.0 is Prometheus 3.16.0).
PROMTOOL_VERSION ?= v0.316.0
## Kubernetes minor version helm is built for (chartutil default capabilities) and charts are validated against.
HELM_K8S_MINOR ?= 34
TOOLS_CACHE ?= $(HOME)/.cache/todo-tools
HELM ?= $(TOOLS_CACHE)/helm-$(HELM_VERSION)/helm
KUBE_SCORE ?= $(TOOLS_CACHE)/kube-score-$(KUBE_SCORE_VERSION)/kube-score
PROMTOOL ?= $(TOOLS_CACHE)/promtool-$(PROMTOOL_VERSION)/promtool
KUBECTL ?= kubectl
# ENV_FILE (where secrets are read from) and ENV_SCHEMA come from mk/env.mk.
## 0 skips the waits that need real containers (migration Job completion, helm test, probe
## wait through a port-forward): for a control plane without a kubelet (kube-apiserver + kwok).
WAIT_HTTP ?= 1
## Local port `kubectl port-forward` uses for the readiness wait and the printed URL.
LOCAL_PORT ?= 8080
## Deadline of the readiness wait (probe wait).
WAIT_DEADLINE ?= 120s
HELM_TIMEOUT ?= 5m
## Revision for helm-rollback (empty: the previous one).
REVISION ?=

CHART := helm/todo-app
HELM_VALUES = $(CHART)/values-$(ENV).yaml
## The Secret `make helm-install` creates from $(ENV_FILE) and hands to the chart (existingSecret).
HELM_SECRET ?= $(RELEASE)-env
## Extra arguments for helm install/upgrade/diff/template, e.g. HELM_ARGS='--set externalDatabase.cidr=203.0.113.10/32'.
HELM_ARGS ?=
HELM_SET = --set image.tag=$(TAG) --set existingSecret=$(HELM_SECRET)$(if $(REGISTRY), --set image.registry=$(REGISTRY))$(if $(HELM_ARGS), $(HELM_ARGS))
HELM_NS = --namespace $(NAMESPACE)
WAIT_ENV = WAIT_HTTP=$(WAIT_HTTP) LOCAL_PORT=$(LOCAL_PORT) WAIT_DEADLINE=$(WAIT_DEADLINE) PROBE=$(BIN)/probe KUBECTL=$(KUBECTL)
HELM_FULLNAME = $(if $(findstring todo-app,$(RELEASE)),$(RELEASE),$(RELEASE)-todo-app)

HELM_LDFLAGS := -w -s -X helm.sh/helm/v3/internal/version.version=$(HELM_VERSION) \
	-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$(HELM_K8S_MINOR) \
	-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$(HELM_K8S_MINOR)

.PHONY: deps-helm helm-install helm-upgrade helm-rollback helm-uninstall helm-status helm-diff \
	helm-lint helm-template charts-test helm-checkov

deps-helm: $(HELM) $(KUBE_SCORE) $(PROMTOOL) ## build the pinned helm, kube-score and promtool (once; cached in TOOLS_CACHE)

# go install is keyed on the version in the path: a new pin builds a new binary, the old stays cached.
$(HELM):
	@mkdir -p $(@D)
	CGO_ENABLED=0 GOBIN=$(abspath $(@D)) $(GO) install -trimpath -ldflags '$(HELM_LDFLAGS)' helm.sh/helm/v3/cmd/helm@$(HELM_VERSION)

$(KUBE_SCORE):
	@mkdir -p $(@D)
	GOBIN=$(abspath $(@D)) $(GO) install -trimpath github.com/zegl/kube-score/cmd/kube-score@$(KUBE_SCORE_VERSION)

# Prometheus 3.x is published as Go module v0.3xx.y; its version string is set as its releases set it.
$(PROMTOOL):
	@mkdir -p $(@D)
	CGO_ENABLED=0 GOBIN=$(abspath $(@D)) $(GO) install -trimpath \
	  -ldflags '-s -w -X github.com/prometheus/common/version.Version=$(shell echo $(PROMTOOL_VERSION) | sed -E 's/^v0\.([0-9])([0-9]+)\./\1.\2./')' \
	  github.com/prometheus/prometheus/cmd/promtool@$(PROMTOOL_VERSION)

DEPS_TARGETS += deps-helm

helm-install: env-check | $(HELM) $(BIN)/envcheck $(BIN)/secretgen $(BIN)/probe ## install or upgrade the release for ENV (Secret from .env, --atomic --wait, helm test, probe)
	KUBECTL=$(KUBECTL) mk/scripts/k8s-namespace.sh $(NAMESPACE)
	$(BIN)/secretgen k8s --name $(HELM_SECRET) --namespace $(NAMESPACE) --schema $(ENV_SCHEMA) $(ENV_FILE) | $(KUBECTL) apply -f -
	$(HELM) upgrade --install $(RELEASE) $(CHART) $(HELM_NS) --atomic --wait --timeout $(HELM_TIMEOUT) -f $(HELM_VALUES) $(HELM_SET)
	HELM=$(HELM) $(WAIT_ENV) mk/scripts/helm-verify.sh $(RELEASE) $(NAMESPACE) $(HELM_FULLNAME)-frontend

helm-upgrade: env-check | $(HELM) $(BIN)/envcheck $(BIN)/secretgen $(BIN)/probe ## upgrade the installed release to TAG and the ENV values (fails when not installed)
	$(BIN)/secretgen k8s --name $(HELM_SECRET) --namespace $(NAMESPACE) --schema $(ENV_SCHEMA) $(ENV_FILE) | $(KUBECTL) apply -f -
	$(HELM) upgrade $(RELEASE) $(CHART) $(HELM_NS) --atomic --wait --timeout $(HELM_TIMEOUT) -f $(HELM_VALUES) $(HELM_SET)
	HELM=$(HELM) $(WAIT_ENV) mk/scripts/helm-verify.sh $(RELEASE) $(NAMESPACE) $(HELM_FULLNAME)-frontend

helm-rollback: | $(HELM) ## roll the release back to REVISION (default: the previous one), then show its history
	$(HELM) rollback $(RELEASE) $(REVISION) $(HELM_NS) --wait --timeout $(HELM_TIMEOUT)
	$(HELM) history $(RELEASE) $(HELM_NS) --max 5

helm-uninstall: | $(HELM) ## uninstall the release and its Secret (the PostgreSQL PVC is kept; see the docs)
	$(HELM) uninstall $(RELEASE) $(HELM_NS) --wait --ignore-not-found
	$(KUBECTL) delete secret $(HELM_SECRET) $(HELM_NS) --ignore-not-found

helm-status: | $(HELM) ## release status, revision history and the release's pods
	$(HELM) status $(RELEASE) $(HELM_NS)
	$(HELM) history $(RELEASE) $(HELM_NS) --max 5
	$(KUBECTL) get pods $(HELM_NS) -l app.kubernetes.io/instance=$(RELEASE) -o wide

helm-diff: | $(HELM) ## diff of what helm-upgrade would change against the installed release (helm get manifest)
	HELM=$(HELM) mk/scripts/helm-diff.sh $(RELEASE) $(NAMESPACE) $(CHART) $(HELM_VALUES) $(HELM_SET)

helm-lint: | $(HELM) ## helm lint --strict with every values file
	for f in $(CHART)/values-dev.yaml $(CHART)/values-staging.yaml $(CHART)/values-prod.yaml; do \
	  $(HELM) lint --strict $(CHART) -f $$f || exit 1; done

helm-template: | $(HELM) ## render the chart for ENV to build/helm/$(ENV).yaml (no cluster needed)
	@mkdir -p $(BUILD)/helm
	$(HELM) template $(RELEASE) $(CHART) $(HELM_NS) -f $(HELM_VALUES) $(HELM_SET) > $(BUILD)/helm/$(ENV).yaml
	@echo "rendered $(BUILD)/helm/$(ENV).yaml"

# The suite: lint, render every values file and edge case, validate (OpenAPI, kubelint,
# kube-score, promtool for the alerting rules and the dashboard), chart contract, k8s/ freshness,
# doctor fixtures, `make -n` of every target, the scan targets (trivy offline), the CI workflow (actionlint).
charts-test: deps-helm deps-pytools deps-scan deps-actionlint ## chart, k8s/, doctor, make-target, scan and CI-workflow tests (offline, no cluster)
	@command -v shellcheck >/dev/null || { echo "charts-test: shellcheck is missing (make deps installs it)" >&2; exit 1; }
	HELM=$(HELM) KUBE_SCORE=$(KUBE_SCORE) KUBELINT=$(BIN)/kubelint PROMTOOL=$(PROMTOOL) TRIVY=$(TRIVY) SYFT=$(SYFT) \
	  ACTIONLINT=$(ACTIONLINT) $(PYTEST) -q -p no:cacheprovider tests/charts \
	  $(wildcard tests/make/test_k8s*.py tests/make/test_helm*.py tests/make/test_scan*.py tests/make/test_ci*.py)

TEST_SUITES += charts-test

CHECKOV_VENV := $(BUILD)/venv-checkov
helm-checkov: | $(HELM) ## bench: run checkov (pinned, own venv) on the chart for every ENV; prints its summary
	mk/scripts/helm-checkov.sh $(CHECKOV_VENV) $(HELM) $(CHART)
