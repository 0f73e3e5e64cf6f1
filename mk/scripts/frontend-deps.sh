#!/usr/bin/env bash
# npm ci in $FRONTEND_DIR from the committed lockfile, skipped when the lockfile, package.json
# and the Node version are unchanged since the last run.
set -euo pipefail
dir=${FRONTEND_DIR:-docker/frontend}
out=${FRONTEND_BUILD:-build/frontend}
mkdir -p "$out"
"$(dirname "$0")/npm-ci.sh" "$dir" "$out/npm-ci.stamp"
