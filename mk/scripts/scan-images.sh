#!/usr/bin/env bash
# make scan-images: trivy's vulnerability scan of each image, failing on SCAN_SEVERITY findings.
# The vulnerability database is fetched (or refreshed) first. When it cannot be had and none is
# cached, the scan stops with one sentence on stderr; trivy's own messages go to a log file.
#   scan-images.sh CACHE LOGDIR IMAGE...
# Env: TRIVY, SCAN_SEVERITY (HIGH,CRITICAL), SCAN_IGNORE_UNFIXED (0|1), DOCKER (docker);
#   TRIVY_DB_REPOSITORY (read by trivy itself: a mirror of the database).
set -euo pipefail
(($# >= 3)) || { echo "usage: $0 CACHE LOGDIR IMAGE..." >&2; exit 2; }
cache=$1 logdir=$2
shift 2
trivy=${TRIVY:?TRIVY must name the trivy binary}
mkdir -p "$logdir"
log=$logdir/trivy-db.log

if ! "$trivy" image --download-db-only --cache-dir "$cache" --no-progress --quiet >"$log" 2>&1; then
  if [[ -s $cache/db/trivy.db ]]; then
    echo "make scan: warning: trivy could not refresh its vulnerability database (see $log); scanning with the cached copy" >&2
  else
    echo "make scan: trivy could not download its vulnerability database from ${TRIVY_DB_REPOSITORY:-its default registries (mirror.gcr.io, ghcr.io)}, so no image was scanned; trivy's messages are in $log (set TRIVY_DB_REPOSITORY to a mirror you can reach)." >&2
    exit 1
  fi
fi

"$(dirname "$0")/images-present.sh" "make scan" "$@"
unfixed=()
[[ ${SCAN_IGNORE_UNFIXED:-0} == 1 ]] && unfixed=(--ignore-unfixed)
status=0
for image in "$@"; do
  echo "== trivy image $image (fails on ${SCAN_SEVERITY:-HIGH,CRITICAL})"
  "$trivy" image --cache-dir "$cache" --skip-db-update --image-src docker --scanners vuln --no-progress \
    --severity "${SCAN_SEVERITY:-HIGH,CRITICAL}" --exit-code 1 "${unfixed[@]}" "$image" || status=1
done
exit "$status"
