#!/usr/bin/env bash
# Runs the backend pytest suite. The suite starts its own PostgreSQL (mk/scripts/pg-temp.sh),
# migrates it and tears it down; nothing else needs to run.
#   backend-test.sh VENV BACKEND_DIR [PYTEST ARGS...]
set -euo pipefail
venv=$(cd "$1" && pwd)
dir=$2
shift 2
cd "$dir"
export PYTHONDONTWRITEBYTECODE=1 ENV_FILE=/dev/null
exec "$venv/bin/python" -m pytest -p no:cacheprovider "$@"
