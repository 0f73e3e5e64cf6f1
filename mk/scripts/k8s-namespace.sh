#!/usr/bin/env bash
# Creates the namespace if it is missing and labels it to enforce the "restricted" Pod Security
# Standard (every pod of the chart complies; anything that does not is rejected at admission).
# Usage: k8s-namespace.sh NAMESPACE     (KUBECTL overrides the kubectl command)
set -euo pipefail
ns=${1:?usage: k8s-namespace.sh NAMESPACE}
kubectl=${KUBECTL:-kubectl}
"$kubectl" create namespace "$ns" --dry-run=client -o yaml | "$kubectl" apply -f -
"$kubectl" label namespace "$ns" --overwrite \
  pod-security.kubernetes.io/enforce=restricted \
  pod-security.kubernetes.io/enforce-version=latest \
  pod-security.kubernetes.io/warn=restricted \
  pod-security.kubernetes.io/audit=restricted
