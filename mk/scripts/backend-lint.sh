#!/usr/bin/env bash
# Lints the backend: ruff check, ruff format --check, hadolint on the Dockerfile.
#   backend-lint.sh VENV BACKEND_DIR
set -euo pipefail
venv=$1
dir=$2
status=0
echo "backend-lint: ruff check $dir"
"$venv/bin/ruff" check --no-cache "$dir" || status=1
echo "backend-lint: ruff format --check $dir"
"$venv/bin/ruff" format --no-cache --check "$dir" || status=1
echo "backend-lint: hadolint $dir/Dockerfile"
"$venv/bin/hadolint" --config "$dir/.hadolint.yaml" "$dir/Dockerfile" || status=1
if ((status == 0)); then echo "backend-lint: clean"; else echo "backend-lint: FAILED" >&2; fi
exit "$status"
