#!/usr/bin/env bash
# Runs a command in the release's bundled PostgreSQL container (found by its labels, never by a
# name computed here): the DB_EXEC of make k8s-db-backup / k8s-db-restore (stack-db.sh).
#   k8s-db-exec.sh NAMESPACE SELECTOR COMMAND...     Env: KUBECTL (kubectl)
set -euo pipefail
(($# >= 3)) || { echo "usage: $0 NAMESPACE SELECTOR COMMAND..." >&2; exit 2; }
ns=$1 selector=$2
shift 2
kubectl=${KUBECTL:-kubectl}
pod=$("$kubectl" get pod --namespace "$ns" -l "$selector,app.kubernetes.io/component=postgresql" \
  --field-selector=status.phase=Running -o name </dev/null | head -n 1)
[[ -n $pod ]] || { echo "k8s-db: no running PostgreSQL pod with labels $selector in namespace $ns" >&2; exit 1; }
exec "$kubectl" exec -i --namespace "$ns" "$pod" -c postgresql -- "$@"
