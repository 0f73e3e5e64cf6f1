#!/usr/bin/env bash
# After helm install/upgrade: `helm test` (backend /ready, frontend /api/healthz from inside the
# cluster), then the readiness wait through a port-forward and the URLs (k8s-wait-http.sh).
# WAIT_HTTP=0 skips helm test too (its Pod needs a real container).
# Usage: helm-verify.sh RELEASE NAMESPACE SELECTOR     Env: HELM, WAIT_HTTP, ...
# SELECTOR picks the release's objects (app.kubernetes.io/instance=RELEASE).
set -euo pipefail
release=${1:?usage: helm-verify.sh RELEASE NAMESPACE SELECTOR}
ns=${2:?} selector=${3:?}
helm=${HELM:-helm}
if [[ ${WAIT_HTTP:-1} != 0 ]]; then
  "$helm" test "$release" --namespace "$ns" --logs --timeout 3m
fi
exec "$(dirname "$0")/k8s-wait-http.sh" "$ns" "$selector"
