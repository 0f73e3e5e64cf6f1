# lint: kubelint over k8s/ and the chart, kubelint's own fixtures, trivy's misconfiguration scan, actionlint on the CI workflow.
# Uses from config.mk: BIN, BUILD, RELEASE, NAMESPACE, HELM, HELM_ARGS, CHART, TOOLS_CACHE, GO.

## Extra kubelint flags for `make lint` (e.g. --strict, --format json, --exclude no-liveness-probe).
KUBELINT_FLAGS ?=
KUBELINT := $(BIN)/kubelint
LINT_CHART ?= $(CHART)
LINT_K8S ?= k8s
## Values files the chart is rendered with (default: values.yaml and every values-*.yaml).
LINT_VALUES ?= $(wildcard $(LINT_CHART)/values.yaml $(LINT_CHART)/values-*.yaml)
## What each rendering adds, as a user installing it would (prod: where its external database is).
LINT_HELM_ARGS ?= $(or $(HELM_ARGS),--set externalDatabase.cidr=203.0.113.10/32)

## Pinned actionlint (GitHub Actions workflow linter), built once from the Go module proxy.
ACTIONLINT_VERSION ?= v1.7.12
ACTIONLINT ?= $(TOOLS_CACHE)/actionlint-$(ACTIONLINT_VERSION)/actionlint
WORKFLOWS := $(wildcard .github/workflows/*.yml)

.PHONY: lint lint-fixtures lint-k8s lint-chart lint-workflows deps-actionlint bench-kubelint

lint: lint-fixtures lint-k8s lint-chart lint-workflows scan-config ## kubelint (fixtures, k8s/, chart), actionlint on .github/workflows, trivy config on the Dockerfiles, chart and k8s/

lint-fixtures: $(KUBELINT) ## kubelint fixtures: each bad/<rule>.yaml gives exactly its "# expect:" findings, good/ none
	@mk/scripts/lint-fixtures.sh $(KUBELINT) tools/tests/fixtures/kubelint

lint-k8s: $(KUBELINT) ## kubelint over the plain manifests in k8s/
	@mk/scripts/lint-manifests.sh $(KUBELINT) $(LINT_K8S) $(KUBELINT_FLAGS)

lint-chart: $(KUBELINT) | $(HELM) ## render the chart with every values file (helm template) and kubelint each rendering
	@HELM='$(HELM)' HELM_ARGS='$(LINT_HELM_ARGS)' mk/scripts/lint-chart.sh $(KUBELINT) $(LINT_CHART) $(RELEASE) $(NAMESPACE) \
	  $(BUILD)/lint '$(LINT_VALUES)' $(KUBELINT_FLAGS)

deps-actionlint: $(ACTIONLINT)

$(ACTIONLINT):
	@mkdir -p $(@D)
	CGO_ENABLED=0 GOBIN=$(abspath $(@D)) $(GO) install -trimpath -ldflags '-s -w' github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION)

DEPS_TARGETS += deps-actionlint
APT_PACKAGES += shellcheck

# shellcheck (a prerequisite, from Debian) checks the workflow's `run:` scripts through actionlint.
lint-workflows: $(ACTIONLINT) ## actionlint on .github/workflows (shellcheck for run: steps); the workflow is linted here, not run
	@command -v shellcheck >/dev/null || { echo "lint-workflows: shellcheck is missing (make deps installs it)" >&2; exit 1; }
	$(ACTIONLINT) -no-color -shellcheck=shellcheck -pyflakes= $(WORKFLOWS)
	@echo "lint-workflows: $(words $(WORKFLOWS)) workflow(s) clean"

bench-kubelint: $(KUBELINT) | $(HELM) ## bench: kubelint against kube-score, kube-linter, polaris, checkov (time, RSS, ratios, parity)
	@HELM='$(HELM)' mk/scripts/lint-bench.sh $(KUBELINT) $(BUILD)/bench-kubelint

TEST_SUITES += lint
