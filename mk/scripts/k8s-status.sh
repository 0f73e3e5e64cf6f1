#!/usr/bin/env bash
# One screen of NAMESPACE: workloads, pods, services, PVCs and the latest warning events.
# Usage: k8s-status.sh NAMESPACE     (KUBECTL overrides the kubectl command)
set -uo pipefail
ns=${1:?usage: k8s-status.sh NAMESPACE}
kubectl=${KUBECTL:-kubectl}
echo "== workloads ($ns)"
"$kubectl" get deployments,statefulsets,jobs,hpa -n "$ns" 2>&1
echo; echo "== pods"
"$kubectl" get pods -n "$ns" -o wide 2>&1
echo; echo "== services and volumes"
"$kubectl" get services,ingresses,pvc -n "$ns" 2>&1
echo; echo "== latest warning events"
"$kubectl" get events -n "$ns" --field-selector type=Warning --sort-by=.lastTimestamp \
  -o custom-columns='LAST:.lastTimestamp,OBJECT:.involvedObject.name,REASON:.reason,MESSAGE:.message' 2>&1 | tail -n 11
echo; echo "(more: make doctor NAMESPACE=$ns)"
