#!/usr/bin/env bash
# ruff check and ruff format --check of Python packages outside the backend (tools/chaos,
# tools/doctor), with the backend's pinned ruff and its configuration (the repo's one).
#   py-lint.sh VENV CONFIG DIR...
set -euo pipefail
venv=$1
config=$2
shift 2
"$venv/bin/ruff" check --no-cache --config "$config" "$@"
"$venv/bin/ruff" format --no-cache --config "$config" --check "$@"
