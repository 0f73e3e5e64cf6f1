#!/usr/bin/env bash
# Stops what cluster-up started: deletes the minikube profile or the kind cluster.
# Docker Desktop's cluster belongs to Docker Desktop, and a containerd node (kubeadm, k3s) to you:
# only a hint is printed.
# Env: CLUSTER, MINIKUBE_PROFILE, KIND_NAME.
set -euo pipefail
. "$(dirname "$0")/cluster-lib.sh"
cluster=$(cluster_resolve)
case $cluster in
  docker-desktop) echo "Docker Desktop's Kubernetes is left running (disable it in Docker Desktop > Settings > Kubernetes)" ;;
  containerd) echo "CLUSTER=containerd: your cluster is left running (it is yours: kubeadm reset, k3s-uninstall.sh)" ;;
  minikube) minikube delete -p "${MINIKUBE_PROFILE:-todo}" && echo "minikube profile ${MINIKUBE_PROFILE:-todo} deleted" ;;
  kind) kind delete cluster --name "${KIND_NAME:-todo}" && echo "kind cluster ${KIND_NAME:-todo} deleted" ;;
esac
