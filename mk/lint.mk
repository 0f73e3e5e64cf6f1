# lint: kubelint over k8s/, the chart rendered with every values file, and kubelint's own fixtures.
# Uses from config.mk: BIN, BUILD, RELEASE, NAMESPACE, HELM, HELM_ARGS, CHART.

## Extra kubelint flags for `make lint` (e.g. --strict, --format json, --exclude no-liveness-probe).
KUBELINT_FLAGS ?=
KUBELINT := $(BIN)/kubelint
LINT_CHART ?= $(CHART)
LINT_K8S ?= k8s
## Values files the chart is rendered with (default: values.yaml and every values-*.yaml).
LINT_VALUES ?= $(wildcard $(LINT_CHART)/values.yaml $(LINT_CHART)/values-*.yaml)
## What each rendering adds, as a user installing it would (prod: where its external database is).
LINT_HELM_ARGS ?= $(or $(HELM_ARGS),--set externalDatabase.cidr=203.0.113.10/32)

.PHONY: lint lint-fixtures lint-k8s lint-chart bench-kubelint

lint: lint-fixtures lint-k8s lint-chart ## kubelint: fixtures give exactly their findings; k8s/ and the rendered chart have no error

lint-fixtures: $(KUBELINT) ## kubelint fixtures: each bad/<rule>.yaml gives exactly its "# expect:" findings, good/ none
	@mk/scripts/lint-fixtures.sh $(KUBELINT) tools/tests/fixtures/kubelint

lint-k8s: $(KUBELINT) ## kubelint over the plain manifests in k8s/
	@mk/scripts/lint-manifests.sh $(KUBELINT) $(LINT_K8S) $(KUBELINT_FLAGS)

lint-chart: $(KUBELINT) | $(HELM) ## render the chart with every values file (helm template) and kubelint each rendering
	@HELM='$(HELM)' HELM_ARGS='$(LINT_HELM_ARGS)' mk/scripts/lint-chart.sh $(KUBELINT) $(LINT_CHART) $(RELEASE) $(NAMESPACE) \
	  $(BUILD)/lint '$(LINT_VALUES)' $(KUBELINT_FLAGS)

bench-kubelint: $(KUBELINT) | $(HELM) ## bench: kubelint against kube-score, kube-linter, polaris, checkov (time, RSS, ratios, parity)
	@HELM='$(HELM)' mk/scripts/lint-bench.sh $(KUBELINT) $(BUILD)/bench-kubelint

TEST_SUITES += lint
