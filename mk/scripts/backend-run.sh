#!/usr/bin/env bash
# Runs the backend natively, the way the image's entrypoint does (without envcheck):
#   backend-run.sh VENV BACKEND_DIR serve|migrate
# Configuration comes from the environment, then from .env at the repository root (ENV_FILE
# overrides that path); variables set in the environment win over .env.
set -euo pipefail
root=$(pwd)
venv=$(cd "$1" && pwd)
dir=$2
cmd=$3
export ENV_FILE="${ENV_FILE:-$root/.env}"
export PYTHONDONTWRITEBYTECODE=1
cd "$dir"
case $cmd in
  serve) exec "$venv/bin/python" -m app.serve ;;
  migrate) exec "$venv/bin/python" -m alembic -c alembic.ini upgrade head ;;
  *) echo "usage: $0 VENV DIR serve|migrate" >&2; exit 2 ;;
esac
