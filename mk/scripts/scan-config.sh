#!/usr/bin/env bash
# make scan-config: trivy's misconfiguration scan (its built-in checks, offline: no check bundle
# is downloaded) of each PATH: Dockerfiles, the chart (rendered by trivy with SCAN_HELM_VALUES
# and SCAN_HELM_SET) and plain manifests. Fails when any finding is at SCAN_SEVERITY.
#   scan-config.sh CACHE PATH...
# Env: TRIVY, SCAN_SEVERITY (HIGH,CRITICAL), SCAN_HELM_VALUES (a values file), SCAN_HELM_SET (a,b=c).
set -euo pipefail
(($# >= 2)) || { echo "usage: $0 CACHE PATH..." >&2; exit 2; }
cache=$1
shift
trivy=${TRIVY:?TRIVY must name the trivy binary}
helm=()
[[ -n ${SCAN_HELM_VALUES:-} ]] && helm+=(--helm-values "$SCAN_HELM_VALUES")
[[ -n ${SCAN_HELM_SET:-} ]] && helm+=(--helm-set "$SCAN_HELM_SET")
status=0
for path in "$@"; do
  [[ -e $path ]] || { echo "scan-config: $path: no such file or directory" >&2; exit 2; }
  echo "== trivy config $path (fails on ${SCAN_SEVERITY:-HIGH,CRITICAL})"
  # --quiet: no log lines (among them the expected "falling back to embedded checks"); the report stays
  "$trivy" config --quiet --cache-dir "$cache" --skip-check-update "${helm[@]}" \
    --severity "${SCAN_SEVERITY:-HIGH,CRITICAL}" --exit-code 1 "$path" || status=1
done
exit "$status"
