#!/usr/bin/env bash
# After a deploy: waits for the migration Job, then for the frontend's /api/healthz through
# `kubectl port-forward` (probe wait with a deadline), and prints how to reach the app.
# WAIT_HTTP=0 skips the waits that need real containers (for a control plane without kubelet,
# e.g. kube-apiserver + kwok) and only prints the URLs.
# Usage: k8s-wait-http.sh NAMESPACE FRONTEND_SERVICE [MIGRATE_JOB]
# Env: WAIT_HTTP (1), LOCAL_PORT (8080), WAIT_DEADLINE (120s), PROBE (build/bin/probe), KUBECTL.
set -euo pipefail
ns=${1:?usage: k8s-wait-http.sh NAMESPACE FRONTEND_SERVICE [MIGRATE_JOB]}
svc=${2:?} job=${3:-}
kubectl=${KUBECTL:-kubectl}
probe=${PROBE:-build/bin/probe}
port=${LOCAL_PORT:-8080}
deadline=${WAIT_DEADLINE:-120s}

if [[ ${WAIT_HTTP:-1} == 0 ]]; then
  echo "WAIT_HTTP=0: skipping the migration Job wait and the HTTP readiness wait"
else
  if [[ -n $job ]] && "$kubectl" get job "$job" -n "$ns" >/dev/null 2>&1; then
    echo "waiting for job/$job (database migrations)"
    "$kubectl" wait --for=condition=complete "job/$job" -n "$ns" --timeout=300s
  fi
  log=$(mktemp)
  "$kubectl" port-forward -n "$ns" "svc/$svc" "$port:http" --address 127.0.0.1 >"$log" 2>&1 &
  pf=$!
  trap 'kill "$pf" 2>/dev/null; wait "$pf" 2>/dev/null || true; rm -f "$log"' EXIT
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
