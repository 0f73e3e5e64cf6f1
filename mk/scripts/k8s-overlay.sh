#!/usr/bin/env bash
# Writes a kustomize overlay over k8s/ into OVERLAY: the real image tag (TAG, REGISTRY prefix
# when set) and NAMESPACE, without touching the committed files. The base's Namespace object is
# dropped (k8s-namespace.sh creates and labels NAMESPACE), so `kubectl delete -k` keeps it.
# Usage: k8s-overlay.sh OVERLAY K8S_DIR NAMESPACE TAG [REGISTRY]
set -euo pipefail
overlay=${1:?usage: k8s-overlay.sh OVERLAY K8S_DIR NAMESPACE TAG [REGISTRY]}
base=${2:?} ns=${3:?} tag=${4:?} registry=${5:-}
[[ $tag != latest ]] || { echo "k8s-overlay: refusing the tag 'latest'" >&2; exit 2; }
mkdir -p "$overlay"
rel=$(realpath --relative-to="$overlay" "$base")
prefix=${registry:+${registry%/}/}
cat >"$overlay/kustomization.yaml" <<YAML
# Written by mk/scripts/k8s-overlay.sh for \`make k8s-deploy\`; regenerated on every run.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: $ns
resources:
  - $rel
images:
  - name: todo-backend
    newName: ${prefix}todo-backend
    newTag: "$tag"
  - name: todo-frontend
    newName: ${prefix}todo-frontend
    newTag: "$tag"
patches:
  - patch: |-
      \$patch: delete
      apiVersion: v1
      kind: Namespace
      metadata:
        name: todo
YAML
echo "overlay $overlay: namespace $ns, images ${prefix}todo-{backend,frontend}:$tag"
