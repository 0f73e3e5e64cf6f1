#!/usr/bin/env bash
# Makes the TAG images visible to the cluster. Tags are immutable (VERSION-sha[-dirty]), so a
# cluster can never run a stale image under a name it already has.
#   REGISTRY set   -> docker push (the cluster pulls from the registry)
#   minikube       -> minikube image load
#   kind           -> kind load docker-image
#   containerd     -> docker save | ctr -n k8s.io images import (a node whose kubelet uses containerd:
#                     kubeadm, k3s's or a test node's; CONTAINERD_ADDRESS names its socket)
#   docker-desktop -> nothing: the cluster uses Docker Desktop's own image store
# Usage: cluster-images-load.sh IMAGE...
# Env: CLUSTER, REGISTRY, MINIKUBE_PROFILE, KIND_NAME, CONTAINERD_ADDRESS (/run/containerd/containerd.sock), CTR (ctr)
set -euo pipefail
. "$(dirname "$0")/cluster-lib.sh"
(($#)) || { echo "usage: cluster-images-load.sh IMAGE..." >&2; exit 2; }
for image in "$@"; do
  [[ $image != *:latest ]] || { echo "refusing $image: tags are immutable, never latest" >&2; exit 2; }
done
if [[ -n ${REGISTRY:-} ]]; then
  for image in "$@"; do docker push "$image"; done
  echo "pushed $*; the cluster pulls them from $REGISTRY"
  exit 0
fi
cluster=$(cluster_resolve)
case $cluster in
  docker-desktop) echo "Docker Desktop shares Docker's image store: $* already visible" ;;
  minikube)
    for image in "$@"; do minikube -p "${MINIKUBE_PROFILE:-todo}" image load "$image"; done
    echo "loaded $* into minikube profile ${MINIKUBE_PROFILE:-todo}"
    ;;
  kind)
    kind load docker-image --name "${KIND_NAME:-todo}" "$@"
    echo "loaded $* into kind cluster ${KIND_NAME:-todo}"
    ;;
  containerd)
    address=${CONTAINERD_ADDRESS:-/run/containerd/containerd.sock}
    [[ -S $address ]] || { echo "CLUSTER=containerd: no containerd socket at $address (set CONTAINERD_ADDRESS)" >&2; exit 1; }
    # Kubernetes' images live in containerd's k8s.io namespace; the chart's IfNotPresent uses them.
    docker save "$@" | ${CTR:-ctr} --address "$address" --namespace k8s.io images import -
    echo "loaded $* into containerd at $address (namespace k8s.io)"
    ;;
esac
