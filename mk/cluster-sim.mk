# cluster: a real Kubernetes control plane (etcd, kube-apiserver, controller-manager, scheduler) with kwok-simulated nodes, or with one real node (kubelet, containerd, CNI, CoreDNS), for tests.
# Uses from config.mk: BUILD, GO, HELM.

## Where the components are built (once, keyed by version): etcd-<v>/, kube-<v>/, coredns-<v>/, kwok-<v>/.
CLUSTER_SIM_CACHE ?= $(HOME)/.cache/todo-cluster
## State, logs, pid files and the kubeconfig of the running simulation.
CLUSTER_SIM_DIR ?= $(BUILD)/cluster
## kwok release (etcd and Kubernetes are pinned in tests/cluster/components/*/go.mod).
KWOK_VERSION ?= v0.8.0
## `go test -run` filter for cluster-test (empty: every test).
CLUSTER_TEST_RUN ?=
## Priority of the builds and of the simulated cluster's processes (shared 2-core machine).
CLUSTER_SIM_NICE ?= nice -n 19

## The Services' address range (the API server's flag; the real node's isolation exempts it, see node.sh).
CLUSTER_SIM_SERVICE_CIDR ?= 10.96.0.0/16

CLUSTER_SIM_SRC := tests/cluster/components
# Pinned versions, read from the go.mod files (a single source of truth).
CLUSTER_SIM_K8S_VERSION := $(shell awk '$$1=="k8s.io/kubernetes" {print $$2; exit}' $(CLUSTER_SIM_SRC)/kube/go.mod 2>/dev/null)
CLUSTER_SIM_ETCD_VERSION := $(shell awk '$$1=="require" && $$2=="go.etcd.io/etcd/server/v3" {print $$3; exit}' $(CLUSTER_SIM_SRC)/etcd/go.mod 2>/dev/null)
CLUSTER_SIM_COREDNS_VERSION := $(shell awk '$$1=="require" && $$2=="github.com/coredns/coredns" {print $$3; exit}' $(CLUSTER_SIM_SRC)/coredns/go.mod 2>/dev/null)
CLUSTER_SIM_KUBE_BIN = $(CLUSTER_SIM_CACHE)/kube-$(CLUSTER_SIM_K8S_VERSION)
CLUSTER_SIM_KUBECONFIG = $(CLUSTER_SIM_DIR)/kubeconfig
CLUSTER_SIM_ENV = ETCD=$(CLUSTER_SIM_CACHE)/etcd-$(CLUSTER_SIM_ETCD_VERSION)/etcd KUBE_BIN=$(CLUSTER_SIM_KUBE_BIN) \
	KWOK=$(CLUSTER_SIM_CACHE)/kwok-$(KWOK_VERSION)/kwok KWOK_STAGES=$(CLUSTER_SIM_CACHE)/kwok-$(KWOK_VERSION)/stages \
	EXTRA_STAGES=tests/cluster/kwok NICE='$(CLUSTER_SIM_NICE)' SERVICE_CIDR=$(CLUSTER_SIM_SERVICE_CIDR)

## The real node: its directory (the control plane in DIR/control-plane), and the priority of its
## processes and of its control plane (containers inherit it from containerd).
CLUSTER_NODE_DIR ?= $(BUILD)/cluster-node
CLUSTER_NODE_NICE ?= nice -n 0
## Images the chart pulls from a registry, which the node cannot reach: copied from the test engine.
CLUSTER_NODE_BASE_IMAGES ?= postgres:15-alpine
## Phases of cluster-test: sim (kwok nodes) and node (the real node).
CLUSTER_TEST_PHASES ?= sim node
CLUSTER_SIM_APT := openssl curl python3
CLUSTER_NODE_APT := containerd runc containernetworking-plugins conntrack iptables iproute2
CLUSTER_NODE_ENV = $(CLUSTER_SIM_ENV) COREDNS=$(CLUSTER_SIM_CACHE)/coredns-$(CLUSTER_SIM_COREDNS_VERSION)/coredns \
	PAUSE_IMAGE=$(PAUSE_IMAGE) NODE_BASE_IMAGES='$(CLUSTER_NODE_BASE_IMAGES)' NODE_NICE='$(CLUSTER_NODE_NICE)' $(DOCKER_ENGINE_ENV)

.PHONY: deps-cluster-sim cluster-sim cluster-sim-down cluster-test deps-cluster-node cluster-node cluster-node-down

deps-cluster-sim: ## build etcd, the Kubernetes components, kubectl, CoreDNS and kwok (pinned; once, cached in CLUSTER_SIM_CACHE)
	GO=$(GO) NICE='$(CLUSTER_SIM_NICE)' mk/scripts/cluster-sim-build.sh $(CLUSTER_SIM_CACHE) $(CLUSTER_SIM_SRC) $(KWOK_VERSION)

DEPS_TARGETS += deps-cluster-sim

cluster-sim: deps-cluster-sim ## start the simulated cluster (real control plane, kwok nodes; pods are simulated, no container runs)
	$(CLUSTER_SIM_ENV) mk/scripts/cluster-sim-up.sh $(CLUSTER_SIM_DIR)

cluster-sim-down: ## stop exactly the processes cluster-sim started (pid files in CLUSTER_SIM_DIR)
	mk/scripts/cluster-sim-down.sh $(CLUSTER_SIM_DIR)

deps-cluster-node: ## install the Debian packages of the real node (containerd, runc, CNI plugins, conntrack), its control plane and the test engine
	@mk/scripts/deps-apt.sh $(sort $(CLUSTER_SIM_APT) $(CLUSTER_NODE_APT) $(DOCKER_ENGINE_APT))

cluster-node: deps-cluster-sim deps-cluster-node docker-bases ## start a real one-node cluster (control plane + kubelet, containerd, CNI, CoreDNS; pods run for real)
	@$(CLUSTER_NODE_ENV) tests/cluster/node.sh up $(CLUSTER_NODE_DIR)

cluster-node-down: ## stop exactly what cluster-node started and restore the host (fails when something is left)
	@KUBE_BIN=$(CLUSTER_SIM_KUBE_BIN) tests/cluster/node.sh down $(CLUSTER_NODE_DIR)

# Phase sim: its own simulation in $(CLUSTER_SIM_DIR)-test (a `make cluster-sim` you use stays
# untouched), tests/cluster (go test) against it, always stopped. Phase node: the Docker test
# engine builds the images, a real node in $(CLUSTER_NODE_DIR)-test runs them (go test -tags
# realnode), and both are always stopped.
cluster-test: deps-cluster-sim deps-cluster-node deps-docker-engine deps-helm tools ## k8s/ and the chart on the control plane with kwok nodes, then on a real node with real containers
	@rc=0; for phase in $(CLUSTER_TEST_PHASES); do case $$phase in \
	  sim) $(CLUSTER_SIM_ENV) HELM=$(abspath $(HELM)) GO=$(GO) CLUSTER_TEST_RUN='$(CLUSTER_TEST_RUN)' mk/scripts/cluster-sim-test.sh $(CLUSTER_SIM_DIR)-test || rc=1 ;; \
	  node) $(CLUSTER_NODE_ENV) HELM=$(abspath $(HELM)) GO=$(GO) CLUSTER_TEST_RUN='$(CLUSTER_TEST_RUN)' tests/cluster/node-test.sh $(CLUSTER_NODE_DIR)-test || rc=1 ;; \
	  *) echo "CLUSTER_TEST_PHASES: unknown phase '$$phase' (use sim and/or node)" >&2; exit 2 ;; esac; done; exit $$rc

APT_PACKAGES += $(CLUSTER_SIM_APT) $(CLUSTER_NODE_APT)
DEPS_TARGETS += deps-cluster-node
TEST_SUITES += cluster-test
