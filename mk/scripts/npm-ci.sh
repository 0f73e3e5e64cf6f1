#!/usr/bin/env bash
# npm-ci.sh DIR STAMP: npm ci in DIR from its committed lockfile, skipped while the lockfile,
# package.json and the Node version are unchanged since the run that wrote STAMP.
set -euo pipefail
dir=${1:?usage: npm-ci.sh DIR STAMP}
stamp=${2:?usage: npm-ci.sh DIR STAMP}
[[ -f $dir/package-lock.json ]] || { echo "npm-ci: $dir/package-lock.json is missing" >&2; exit 1; }
need=${FRONTEND_HOST_NODE:-20.19}
command -v node >/dev/null && command -v npm >/dev/null ||
  { echo "npm-ci: node and npm are needed (Node >= $need; Debian: apt-get install nodejs npm)" >&2; exit 1; }
have=$(node --version)
have=${have#v}
if [[ $(printf '%s\n%s\n' "$need" "$have" | sort -V | head -n 1) != "$need" ]]; then
  echo "npm-ci: Node $have is too old to build and test here; Node >= $need is needed (FRONTEND_HOST_NODE)" >&2
  exit 1
fi

key=$(cat "$dir/package-lock.json" "$dir/package.json" <(node --version) | sha256sum | cut -c1-16)
if [[ -f $stamp && $(cat "$stamp") == "$key" && -d $dir/node_modules ]]; then
  echo "npm-ci: $dir/node_modules up to date ($key)"
else
  echo "npm-ci: npm ci in $dir"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  mkdir -p "$(dirname "$stamp")"
  echo "$key" >"$stamp"
fi
