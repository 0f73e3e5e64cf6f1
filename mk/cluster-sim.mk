# cluster: a real Kubernetes control plane (etcd, kube-apiserver, controller-manager, scheduler) with kwok-simulated nodes and pods, for tests.
# Uses from config.mk: BUILD, GO, HELM.

## Where the components are built (once, keyed by version): etcd-<v>/, kube-<v>/, kwok-<v>/.
CLUSTER_SIM_CACHE ?= $(HOME)/.cache/todo-cluster
## State, logs, pid files and the kubeconfig of the running simulation.
CLUSTER_SIM_DIR ?= $(BUILD)/cluster
## kwok release (etcd and Kubernetes are pinned in tests/cluster/components/*/go.mod).
KWOK_VERSION ?= v0.8.0
## `go test -run` filter for cluster-test (empty: every test).
CLUSTER_TEST_RUN ?=
## `go test -tags` for cluster-test: realnode adds the tests that need containers to run (backups).
CLUSTER_TEST_TAGS ?=
## Priority of the builds and of the simulated cluster's processes (shared 2-core machine).
CLUSTER_SIM_NICE ?= nice -n 19

CLUSTER_SIM_SRC := tests/cluster/components
# Pinned versions, read from the go.mod files (a single source of truth).
CLUSTER_SIM_K8S_VERSION := $(shell awk '$$1=="k8s.io/kubernetes" {print $$2; exit}' $(CLUSTER_SIM_SRC)/kube/go.mod 2>/dev/null)
CLUSTER_SIM_ETCD_VERSION := $(shell awk '$$1=="require" && $$2=="go.etcd.io/etcd/server/v3" {print $$3; exit}' $(CLUSTER_SIM_SRC)/etcd/go.mod 2>/dev/null)
CLUSTER_SIM_KUBE_BIN = $(CLUSTER_SIM_CACHE)/kube-$(CLUSTER_SIM_K8S_VERSION)
CLUSTER_SIM_KUBECONFIG = $(CLUSTER_SIM_DIR)/kubeconfig
CLUSTER_SIM_ENV = ETCD=$(CLUSTER_SIM_CACHE)/etcd-$(CLUSTER_SIM_ETCD_VERSION)/etcd KUBE_BIN=$(CLUSTER_SIM_KUBE_BIN) \
	KWOK=$(CLUSTER_SIM_CACHE)/kwok-$(KWOK_VERSION)/kwok KWOK_STAGES=$(CLUSTER_SIM_CACHE)/kwok-$(KWOK_VERSION)/stages \
	EXTRA_STAGES=tests/cluster/kwok NICE='$(CLUSTER_SIM_NICE)'

.PHONY: deps-cluster-sim cluster-sim cluster-sim-down cluster-test

deps-cluster-sim: ## build etcd, kube-apiserver/-controller-manager/-scheduler, kubectl and kwok (pinned; once, cached in CLUSTER_SIM_CACHE)
	GO=$(GO) NICE='$(CLUSTER_SIM_NICE)' mk/scripts/cluster-sim-build.sh $(CLUSTER_SIM_CACHE) $(CLUSTER_SIM_SRC) $(KWOK_VERSION)

DEPS_TARGETS += deps-cluster-sim

cluster-sim: deps-cluster-sim ## start the simulated cluster (real control plane, kwok nodes; pods are simulated, no container runs)
	$(CLUSTER_SIM_ENV) mk/scripts/cluster-sim-up.sh $(CLUSTER_SIM_DIR)

cluster-sim-down: ## stop exactly the processes cluster-sim started (pid files in CLUSTER_SIM_DIR)
	mk/scripts/cluster-sim-down.sh $(CLUSTER_SIM_DIR)

# Starts its own simulation in $(CLUSTER_SIM_DIR)-test (so a `make cluster-sim` you use stays
# untouched), runs tests/cluster (go test) against it and always stops it.
cluster-test: deps-cluster-sim deps-helm tools ## deploy k8s/ and the chart (dev, staging, prod) on the simulated cluster and check what the API server says
	$(CLUSTER_SIM_ENV) HELM=$(abspath $(HELM)) GO=$(GO) CLUSTER_TEST_RUN='$(CLUSTER_TEST_RUN)' CLUSTER_TEST_TAGS='$(CLUSTER_TEST_TAGS)' \
	  mk/scripts/cluster-sim-test.sh $(CLUSTER_SIM_DIR)-test

APT_PACKAGES += openssl curl python3
# Passed 3 runs in a row (about 1.5 min each once deps-cluster-sim has built the cache).
TEST_SUITES += cluster-test
