# scan: the images' SBOMs (syft) and the vulnerability and misconfiguration scans (trivy).
# Uses from config.mk: BACKEND_IMAGE, FRONTEND_IMAGE, TAG, BUILD, GO, TOOLS_CACHE, DOCKER.

## Pinned syft and trivy, built once from the Go module proxy into TOOLS_CACHE (make deps-scan).
SYFT_VERSION ?= v1.57.2
TRIVY_VERSION ?= v0.74.0
SYFT ?= $(TOOLS_CACHE)/syft-$(SYFT_VERSION)/syft
TRIVY ?= $(TOOLS_CACHE)/trivy-$(TRIVY_VERSION)/trivy
## Where make sbom writes one SPDX JSON document per image.
SBOM_DIR ?= $(BUILD)/sbom
## Severities that fail make scan (trivy --severity): e.g. CRITICAL, or MEDIUM,HIGH,CRITICAL.
SCAN_SEVERITY ?= HIGH,CRITICAL
## 1: report only vulnerabilities that have a fixed version (trivy --ignore-unfixed).
SCAN_IGNORE_UNFIXED ?= 0
## trivy's cache: its vulnerability database, downloaded on first use (TRIVY_DB_REPOSITORY picks a mirror).
TRIVY_CACHE ?= $(HOME)/.cache/trivy
## What trivy config checks: the Dockerfiles, the chart and k8s/ (trivy has no Compose scanner: compose-test checks that file).
SCAN_CONFIG_PATHS ?= docker/backend/Dockerfile docker/frontend/Dockerfile helm/todo-app k8s
## Values trivy renders the chart with: staging (backups on) plus every metrics object.
SCAN_HELM_VALUES ?= helm/todo-app/values-staging.yaml
SCAN_HELM_SET ?= metrics.serviceMonitor.enabled=true,metrics.prometheusRule.enabled=true,metrics.dashboard.enabled=true
SCAN_IMAGES = $(BACKEND_IMAGE):$(TAG) $(FRONTEND_IMAGE):$(TAG)
# No update checks or telemetry from either tool.
SCAN_ENV = SYFT_CHECK_FOR_APP_UPDATE=false TRIVY_SKIP_VERSION_CHECK=true TRIVY_DISABLE_TELEMETRY=true

.PHONY: deps-scan sbom scan scan-images scan-config

deps-scan: $(SYFT) $(TRIVY) ## build the pinned syft and trivy (once; cached in TOOLS_CACHE)

$(SYFT):
	@mkdir -p $(@D)
	CGO_ENABLED=0 GOBIN=$(abspath $(@D)) $(GO) install -trimpath \
	  -ldflags '-s -w -X main.version=$(SYFT_VERSION:v%=%)' github.com/anchore/syft/cmd/syft@$(SYFT_VERSION)

# trivy's release build sets GOEXPERIMENT=jsonv2 (its goreleaser.yml); so does this one.
$(TRIVY):
	@mkdir -p $(@D)
	CGO_ENABLED=0 GOEXPERIMENT=jsonv2 GOBIN=$(abspath $(@D)) $(GO) install -trimpath \
	  -ldflags '-s -w -X github.com/aquasecurity/trivy/pkg/version/app.ver=$(TRIVY_VERSION:v%=%)' \
	  github.com/aquasecurity/trivy/cmd/trivy@$(TRIVY_VERSION)

DEPS_TARGETS += deps-scan

sbom: | $(SYFT) ## an SPDX JSON SBOM of each image (syft) in build/sbom/ (images from make build, same TAG)
	@$(SCAN_ENV) DOCKER='$(DOCKER)' mk/scripts/sbom.sh $(SYFT) $(SBOM_DIR) $(SCAN_IMAGES)

scan: scan-config scan-images ## trivy: misconfigurations of the Dockerfiles, chart and k8s/; vulnerabilities of the images (fails on SCAN_SEVERITY)

scan-images: | $(TRIVY) ## trivy image on both images; stops with one sentence when its vulnerability database cannot be had
	@$(SCAN_ENV) TRIVY=$(TRIVY) DOCKER='$(DOCKER)' SCAN_SEVERITY=$(SCAN_SEVERITY) SCAN_IGNORE_UNFIXED=$(SCAN_IGNORE_UNFIXED) \
	  mk/scripts/scan-images.sh $(TRIVY_CACHE) $(BUILD)/scan $(SCAN_IMAGES)

scan-config: | $(TRIVY) ## trivy config (its built-in checks, offline) on the Dockerfiles, the chart and k8s/
	@$(SCAN_ENV) TRIVY=$(TRIVY) SCAN_SEVERITY=$(SCAN_SEVERITY) SCAN_HELM_VALUES='$(SCAN_HELM_VALUES)' \
	  SCAN_HELM_SET='$(SCAN_HELM_SET)' mk/scripts/scan-config.sh $(TRIVY_CACHE) $(SCAN_CONFIG_PATHS)
