#!/usr/bin/env bash
# Lints the backend: ruff check, ruff format --check, mypy (settings in pyproject.toml), and
# hadolint on the Dockerfile.
#   backend-lint.sh VENV BACKEND_DIR     Env: HADOLINT (the pinned hadolint, make deps-pytools)
set -euo pipefail
venv=$(cd "$1" && pwd)
dir=$2
hadolint=${HADOLINT:?HADOLINT must name the pinned hadolint (make deps-pytools)}
status=0
echo "backend-lint: ruff check $dir"
"$venv/bin/ruff" check --no-cache "$dir" || status=1
echo "backend-lint: ruff format --check $dir"
"$venv/bin/ruff" format --no-cache --check "$dir" || status=1
echo "backend-lint: mypy $dir"
(cd "$dir" && "$venv/bin/mypy" --cache-dir=/dev/null) || status=1
echo "backend-lint: hadolint $dir/Dockerfile"
"$hadolint" --config "$dir/.hadolint.yaml" "$dir/Dockerfile" || status=1
if ((status == 0)); then echo "backend-lint: clean"; else echo "backend-lint: FAILED" >&2; fi
exit "$status"
