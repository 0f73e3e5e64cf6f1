#!/usr/bin/env bash
# After a deploy: waits for the migration Job, then for the frontend's /api/healthz through
# `kubectl port-forward` (probe wait with a deadline), and prints how to reach the app.
# WAIT_HTTP=0 skips the waits that need real containers (for a control plane without kubelet,
# e.g. kube-apiserver + kwok) and only prints the URLs.
# The objects are found by label: SELECTOR (app.kubernetes.io/instance=RELEASE) plus
# app.kubernetes.io/component=frontend (the Service) or =migrate (the Job), as the chart labels them.
# Usage: k8s-wait-http.sh NAMESPACE SELECTOR
# Env: WAIT_HTTP (1), LOCAL_PORT (8080), WAIT_DEADLINE (120s), PROBE (build/bin/probe), KUBECTL.
set -euo pipefail
ns=${1:?usage: k8s-wait-http.sh NAMESPACE SELECTOR}
selector=${2:?usage: k8s-wait-http.sh NAMESPACE SELECTOR}
kubectl=${KUBECTL:-kubectl}
probe=${PROBE:-build/bin/probe}
port=${LOCAL_PORT:-8080}
deadline=${WAIT_DEADLINE:-120s}

svc=$("$kubectl" get svc -n "$ns" -l "$selector,app.kubernetes.io/component=frontend" \
  -o jsonpath='{.items[*].metadata.name}')
svc=${svc%% *}
[[ -n $svc ]] || { echo "k8s-wait-http: no frontend Service labelled $selector in namespace $ns" >&2; exit 1; }

if [[ ${WAIT_HTTP:-1} == 0 ]]; then
  echo "WAIT_HTTP=0: skipping the migration Job wait and the HTTP readiness wait"
else
  job=$("$kubectl" get job -n "$ns" -l "$selector,app.kubernetes.io/component=migrate" \
    -o jsonpath='{.items[*].metadata.name}' 2>/dev/null || true)
  job=${job%% *}
  if [[ -n $job ]]; then
    echo "waiting for job/$job (database migrations)"
    "$kubectl" wait --for=condition=complete "job/$job" -n "$ns" --timeout=300s
  fi
  log=$(mktemp)
  "$kubectl" port-forward -n "$ns" "svc/$svc" "$port:http" --address 127.0.0.1 >"$log" 2>&1 &
  pf=$!
  trap 'kill "$pf" 2>/dev/null || true; wait "$pf" 2>/dev/null || true; rm -f "$log"' EXIT
  if ! "$probe" wait "http://127.0.0.1:$port/api/healthz" --deadline "$deadline"; then
    echo "the frontend did not become ready within $deadline; port-forward said:" >&2
    cat "$log" >&2
    echo "run 'make doctor NAMESPACE=$ns' for a diagnosis" >&2
    exit 1
  fi
fi

echo
echo "The app:"
echo "  kubectl port-forward -n $ns svc/$svc $port:http   then http://localhost:$port/"
type=$("$kubectl" get svc "$svc" -n "$ns" -o jsonpath='{.spec.type}' 2>/dev/null || true)
if [[ $type == NodePort ]]; then
  nodeport=$("$kubectl" get svc "$svc" -n "$ns" -o jsonpath='{.spec.ports[0].nodePort}')
  echo "  NodePort $nodeport: http://localhost:$nodeport/ (Docker Desktop, kind)," \
    "or \`minikube service $svc -n $ns --url\`"
fi
echo "  status: make k8s-status NAMESPACE=$ns    diagnosis: make doctor NAMESPACE=$ns"
