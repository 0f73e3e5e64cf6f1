# cluster: start or stop a local Kubernetes cluster (Docker Desktop, minikube, kind) and load the images into it.
# Uses from config.mk: CLUSTER, REGISTRY, REGISTRY_PREFIX, BACKEND_IMAGE, FRONTEND_IMAGE, TAG, KUBECTL.

## minikube's size (4 CPUs / 8 GB by default) and profile; kind's cluster name and config.
MINIKUBE_CPUS ?= 4
MINIKUBE_MEMORY ?= 8g
MINIKUBE_PROFILE ?= todo
KIND_NAME ?= todo
KIND_CONFIG ?= mk/kind-config.yaml
## CLUSTER=containerd: the socket of the node's containerd (k3s: /run/k3s/containerd/containerd.sock).
CONTAINERD_ADDRESS ?= /run/containerd/containerd.sock
# The app images as `make push` names them (config.mk: REGISTRY_PREFIX, BACKEND_IMAGE,
# FRONTEND_IMAGE); the tag is always TAG, never latest.
APP_IMAGES = $(foreach i,$(BACKEND_IMAGE) $(FRONTEND_IMAGE),$(REGISTRY_PREFIX)$(i):$(TAG))
CLUSTER_ENV = KUBECTL=$(KUBECTL) CLUSTER=$(CLUSTER) MINIKUBE_PROFILE=$(MINIKUBE_PROFILE) KIND_NAME=$(KIND_NAME)

.PHONY: cluster-up cluster-down images-load

cluster-up: ## start a local cluster: CLUSTER=minikube|kind creates one, auto/docker-desktop uses the current context
	$(CLUSTER_ENV) MINIKUBE_CPUS=$(MINIKUBE_CPUS) MINIKUBE_MEMORY=$(MINIKUBE_MEMORY) KIND_CONFIG=$(KIND_CONFIG) \
	  mk/scripts/cluster-up.sh

cluster-down: ## stop/delete the local cluster cluster-up made (never touches Docker Desktop's)
	$(CLUSTER_ENV) mk/scripts/cluster-down.sh

images-load: ## make the TAG images visible to the cluster (minikube/kind load, containerd import, push when REGISTRY is set)
	$(CLUSTER_ENV) REGISTRY=$(REGISTRY) $(if $(filter containerd,$(CLUSTER)),CONTAINERD_ADDRESS=$(CONTAINERD_ADDRESS) )mk/scripts/cluster-images-load.sh $(APP_IMAGES)
