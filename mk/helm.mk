# helm: the chart helm/todo-app: install, upgrade, test, rollback, diff, lint, its docs and the charts-test suite.
# Uses from config.mk: ENV, NAMESPACE, RELEASE, REGISTRY_PREFIX, TAG, BIN, BUILD, GO, PYTEST, HELM,
# HELM_VERSION, HELM_ARGS, TOOLS_CACHE, KUBECTL, CHART, ENV_FILE, ENV_SCHEMA, WAIT_ENV, PYTOOLS_VENV,
# PY_LINT.

## Pinned kube-score and kustomize (the chart tests build k8s-deploy's overlay), built like helm into TOOLS_CACHE.
KUBE_SCORE_VERSION ?= v1.20.0
KUSTOMIZE_VERSION ?= v5.7.1
## Prometheus' Go module version whose cmd/promtool checks the chart's alerting rules (v0.316.0 is Prometheus 3.16.0).
PROMTOOL_VERSION ?= v0.316.0
## Kubernetes minor version helm is built for (chartutil default capabilities) and charts are validated against.
HELM_K8S_MINOR ?= 34
KUBE_SCORE ?= $(TOOLS_CACHE)/kube-score-$(KUBE_SCORE_VERSION)/kube-score
KUSTOMIZE ?= $(TOOLS_CACHE)/kustomize-$(KUSTOMIZE_VERSION)/kustomize
PROMTOOL ?= $(TOOLS_CACHE)/promtool-$(PROMTOOL_VERSION)/promtool
HELM_TIMEOUT ?= 5m
## Revision for helm-rollback (empty: the previous one).
REVISION ?=

HELM_VALUES = $(CHART)/values-$(ENV).yaml
## The Secret `make helm-install` creates from $(ENV_FILE) and hands to the chart (existingSecret).
HELM_SECRET ?= $(RELEASE)-env
HELM_SET = --set image.tag=$(TAG) --set existingSecret=$(HELM_SECRET)$(if $(REGISTRY_PREFIX), --set image.registry=$(patsubst %/,%,$(REGISTRY_PREFIX)))$(if $(HELM_ARGS), $(HELM_ARGS))
HELM_NS = --namespace $(NAMESPACE)
# The release's objects are found by their labels, never by a name computed here (the chart's
# _helpers.tpl alone says how objects are named: nameOverride, fullnameOverride).
HELM_SELECTOR = app.kubernetes.io/instance=$(RELEASE)

HELM_LDFLAGS := -w -s -X helm.sh/helm/v3/internal/version.version=$(HELM_VERSION) \
	-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$(HELM_K8S_MINOR) \
	-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$(HELM_K8S_MINOR)

.PHONY: deps-helm helm-install helm-upgrade helm-rollback helm-uninstall helm-status helm-diff \
	helm-lint helm-template charts-test bench-checkov

deps-helm: $(HELM) $(KUBE_SCORE) $(KUSTOMIZE) $(PROMTOOL) ## build the pinned helm, kube-score, kustomize and promtool (once; cached in TOOLS_CACHE)

# go install is keyed on the version in the path: a new pin builds a new binary, the old stays cached.
$(HELM):
	@mkdir -p $(@D)
	CGO_ENABLED=0 GOBIN=$(abspath $(@D)) $(GO) install -trimpath -ldflags '$(HELM_LDFLAGS)' helm.sh/helm/v3/cmd/helm@$(HELM_VERSION)

$(KUBE_SCORE):
	@mkdir -p $(@D)
	GOBIN=$(abspath $(@D)) $(GO) install -trimpath github.com/zegl/kube-score/cmd/kube-score@$(KUBE_SCORE_VERSION)

$(KUSTOMIZE):
	@mkdir -p $(@D)
	CGO_ENABLED=0 GOBIN=$(abspath $(@D)) $(GO) install -trimpath sigs.k8s.io/kustomize/kustomize/v5@$(KUSTOMIZE_VERSION)

# Prometheus 3.x is published as Go module v0.3xx.y; its version string is set as its releases set it.
$(PROMTOOL):
	@mkdir -p $(@D)
	CGO_ENABLED=0 GOBIN=$(abspath $(@D)) $(GO) install -trimpath \
	  -ldflags '-s -w -X github.com/prometheus/common/version.Version=$(shell echo $(PROMTOOL_VERSION) | sed -E 's/^v0\.([0-9])([0-9]+)\./\1.\2./')' \
	  github.com/prometheus/prometheus/cmd/promtool@$(PROMTOOL_VERSION)

DEPS_TARGETS += deps-helm deps-chart-docs

helm-install: env-check | $(HELM) $(BIN)/envcheck $(BIN)/secretgen $(BIN)/probe ## install or upgrade the release for ENV (Secret from .env, --atomic --wait, helm test, probe)
	KUBECTL=$(KUBECTL) mk/scripts/k8s-namespace.sh $(NAMESPACE)
	$(BIN)/secretgen k8s --name $(HELM_SECRET) --namespace $(NAMESPACE) --schema $(ENV_SCHEMA) $(ENV_FILE) | $(KUBECTL) apply -f -
	$(HELM) upgrade --install $(RELEASE) $(CHART) $(HELM_NS) --atomic --wait --timeout $(HELM_TIMEOUT) -f $(HELM_VALUES) $(HELM_SET)
	HELM=$(HELM) $(WAIT_ENV) mk/scripts/helm-verify.sh $(RELEASE) $(NAMESPACE) $(HELM_SELECTOR)

helm-upgrade: env-check | $(HELM) $(BIN)/envcheck $(BIN)/secretgen $(BIN)/probe ## upgrade the installed release to TAG and the ENV values (fails when not installed)
	$(BIN)/secretgen k8s --name $(HELM_SECRET) --namespace $(NAMESPACE) --schema $(ENV_SCHEMA) $(ENV_FILE) | $(KUBECTL) apply -f -
	$(HELM) upgrade $(RELEASE) $(CHART) $(HELM_NS) --atomic --wait --timeout $(HELM_TIMEOUT) -f $(HELM_VALUES) $(HELM_SET)
	HELM=$(HELM) $(WAIT_ENV) mk/scripts/helm-verify.sh $(RELEASE) $(NAMESPACE) $(HELM_SELECTOR)

helm-rollback: | $(HELM) ## roll the release back to REVISION (default: the previous one), then show its history
	$(HELM) rollback $(RELEASE) $(REVISION) $(HELM_NS) --wait --timeout $(HELM_TIMEOUT)
	$(HELM) history $(RELEASE) $(HELM_NS) --max 5

helm-uninstall: | $(HELM) ## uninstall the release, its Secret and its last helm test Pod (the PostgreSQL PVC is kept; see the docs)
	$(HELM) uninstall $(RELEASE) $(HELM_NS) --wait --ignore-not-found
	$(KUBECTL) delete pod $(HELM_NS) -l app.kubernetes.io/instance=$(RELEASE),app.kubernetes.io/component=test --ignore-not-found --wait
	$(KUBECTL) delete secret $(HELM_SECRET) $(HELM_NS) --ignore-not-found

helm-status: | $(HELM) ## release status, revision history and the release's pods
	$(HELM) status $(RELEASE) $(HELM_NS)
	$(HELM) history $(RELEASE) $(HELM_NS) --max 5
	$(KUBECTL) get pods $(HELM_NS) -l $(HELM_SELECTOR) -o wide

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
# the doctor (ruff, its fixtures), `make -n` of every target, the scan targets (trivy offline), the
# CI workflow (actionlint with shellcheck).
charts-test: deps-helm deps-pytools deps-chart-docs deps-backend deps-scan deps-actionlint $(BIN)/kubelint $(BIN)/secretgen $(BIN)/envcheck ## chart, k8s/, chart docs, doctor, make-target, scan and CI-workflow tests (offline, no cluster)
	@command -v shellcheck >/dev/null || { echo "charts-test: shellcheck is missing (make deps installs it)" >&2; exit 1; }
	$(PY_LINT) tools/doctor
	HELM=$(HELM) KUBE_SCORE=$(KUBE_SCORE) KUSTOMIZE=$(KUSTOMIZE) KUBELINT=$(BIN)/kubelint SECRETGEN=$(BIN)/secretgen \
	  ENVCHECK=$(BIN)/envcheck README_GENERATOR=$(README_GENERATOR) PROMTOOL=$(PROMTOOL) TRIVY=$(TRIVY) SYFT=$(SYFT) \
	  ACTIONLINT=$(ACTIONLINT) $(PYTEST) -q -p no:cacheprovider tests/charts tools/doctor/tests \
	  $(wildcard tests/make/test_k8s*.py tests/make/test_helm*.py tests/make/test_scan*.py tests/make/test_ci*.py)

TEST_SUITES += charts-test

# The chart's docs: the README's parameter table from values.yaml's @param comments (Bitnami's
# readme-generator-for-helm, pinned in helm/tools/package-lock.json; the prose around it is
# written by hand) and values.schema.json (helm/tools/gen_schema.py; ranges from env.schema.yaml).
CHART_DOCS_TOOLS := helm/tools
README_GENERATOR := $(CHART_DOCS_TOOLS)/node_modules/.bin/readme-generator

.PHONY: deps-chart-docs chart-docs
deps-chart-docs: ## npm ci in helm/tools from its lockfile (readme-generator-for-helm; skipped when unchanged)
	@mk/scripts/npm-ci.sh $(CHART_DOCS_TOOLS) $(BUILD)/chart-docs-npm-ci.stamp

chart-docs: deps-chart-docs deps-pytools ## regenerate helm/todo-app/README.md's Parameters section and values.schema.json (a chart test fails when stale)
	$(README_GENERATOR) --values $(CHART)/values.yaml --readme $(CHART)/README.md
	$(PYTOOLS_VENV)/bin/python $(CHART_DOCS_TOOLS)/gen_schema.py $(CHART)/values.schema.json

CHECKOV_VENV := $(BUILD)/venv-checkov
bench-checkov: | $(HELM) ## bench: run checkov (pinned, own venv) on the chart for every ENV; prints its summary
	mk/scripts/helm-checkov.sh $(CHECKOV_VENV) $(HELM) $(CHART)
