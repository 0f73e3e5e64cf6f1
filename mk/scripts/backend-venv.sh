#!/usr/bin/env bash
# Creates or refreshes the backend venv from pinned requirement files. A stamp holds the hash
# of the files (and the Python version), so an unchanged setup returns at once.
#   backend-venv.sh VENV REQUIREMENTS...
set -euo pipefail
venv=$1
shift
python=${PYTHON:-python3}
want=$( { "$python" -c 'import sys; print(sys.version)'; cat "$@"; } | sha256sum | cut -d' ' -f1)
stamp="$venv/.stamp"
if [[ -f $stamp && $(cat "$stamp") == "$want" && -x $venv/bin/python ]]; then
  exit 0
fi
echo "deps-backend: installing pinned packages into $venv"
if [[ ! -x $venv/bin/python ]] || ! "$venv/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  rm -rf "$venv"
  "$python" -m venv "$venv"
fi
args=()
for f in "$@"; do args+=(-r "$f"); done
# Wheels only, as the image's build stage installs requirements.txt (docker/backend/Dockerfile):
# the tests run the very files the image ships, never a local build of an sdist.
"$venv/bin/pip" install -q --disable-pip-version-check --no-input --only-binary=:all: "${args[@]}"
"$venv/bin/pip" check >/dev/null
echo "$want" >"$stamp"
echo "deps-backend: ready ($venv)"
