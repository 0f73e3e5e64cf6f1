#!/usr/bin/env bash
# ruff check, ruff format --check and mypy of Python packages outside the backend (tools/chaos,
# tools/doctor), with the backend's pinned tools and its configuration (the repo's one).
#   py-lint.sh VENV CONFIG DIR...     (each DIR a package folder: tools/chaos)
set -euo pipefail
venv=$(cd "$1" && pwd)
config=$(realpath "$2")
shift 2
"$venv/bin/ruff" check --no-cache --config "$config" "$@"
"$venv/bin/ruff" format --no-cache --config "$config" --check "$@"
for dir in "$@"; do
  (cd "$(dirname "$dir")" && "$venv/bin/mypy" --config-file "$config" --cache-dir=/dev/null -p "$(basename "$dir")")
done
