#!/usr/bin/env bash
# Starts (or reuses) a local cluster and says what it did.
# Env: CLUSTER (auto|docker-desktop|minikube|kind|containerd), MINIKUBE_PROFILE, MINIKUBE_CPUS, MINIKUBE_MEMORY,
#      KIND_NAME, KIND_CONFIG, KUBECTL.
set -euo pipefail
. "$(dirname "$0")/cluster-lib.sh"
cluster=$(cluster_resolve)
case $cluster in
  docker-desktop)
    if ${KUBECTL:-kubectl} --context docker-desktop get nodes >/dev/null 2>&1; then
      echo "Docker Desktop's Kubernetes is running; kubectl context: docker-desktop"
      ${KUBECTL:-kubectl} config use-context docker-desktop
    else
      echo "Docker Desktop's Kubernetes is not running: enable it in Docker Desktop > Settings > Kubernetes" >&2
      exit 1
    fi
    ;;
  containerd)
    # A node you run yourself (kubeadm, k3s): nothing to create, only checked.
    if ${KUBECTL:-kubectl} get nodes >/dev/null 2>&1; then
      echo "CLUSTER=containerd: your cluster answers (context $(${KUBECTL:-kubectl} config current-context)); nothing to start"
    else
      echo "CLUSTER=containerd: kubectl reaches no cluster; start yours (kubeadm, k3s) and set KUBECONFIG" >&2
      exit 1
    fi
    ;;
  minikube)
    profile=${MINIKUBE_PROFILE:-todo}
    echo "starting minikube profile $profile (${MINIKUBE_CPUS:-4} CPUs, ${MINIKUBE_MEMORY:-8g} memory; reused when it exists)"
    minikube start -p "$profile" --cpus "${MINIKUBE_CPUS:-4}" --memory "${MINIKUBE_MEMORY:-8g}" \
      --addons ingress --addons metrics-server
    echo "minikube profile $profile is up; kubectl context: $profile"
    ;;
  kind)
    name=${KIND_NAME:-todo}
    if kind get clusters 2>/dev/null | grep -qx "$name"; then
      echo "kind cluster $name exists: reusing it"
      ${KUBECTL:-kubectl} config use-context "kind-$name"
    else
      kind create cluster --name "$name" --config "${KIND_CONFIG:-mk/kind-config.yaml}" --wait 120s
      echo "kind cluster $name created; kubectl context: kind-$name; NodePort 30080 -> localhost:30080"
    fi
    ;;
esac
