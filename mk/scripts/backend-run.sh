#!/usr/bin/env bash
# Runs the backend natively, the way the image's entrypoint does (without envcheck):
#   backend-run.sh VENV BACKEND_DIR serve|migrate
# Configuration comes from the environment, then from .env at the repository root (ENV_FILE
# overrides that path); variables set in the environment win over .env. uvicorn's own command
# line, as in docker/backend/entrypoint.sh; it reads WEB_CONCURRENCY from the environment or
# .env (--env-file), BACKEND_HOST and BACKEND_PORT only from the environment.
set -euo pipefail
root=$(pwd)
venv=$(cd "$1" && pwd)
dir=$2
cmd=$3
export ENV_FILE="${ENV_FILE:-$root/.env}"
export PYTHONDONTWRITEBYTECODE=1
cd "$dir"
case $cmd in
  serve)
    env_file=()
    [[ -f $ENV_FILE ]] && env_file=(--env-file "$ENV_FILE")
    exec "$venv/bin/python" -m uvicorn app.main:create_app --factory "${env_file[@]}" \
      --host "${BACKEND_HOST:-0.0.0.0}" --port "${BACKEND_PORT:-8000}" \
      --log-config app/core/logging.json --no-access-log --no-server-header --timeout-graceful-shutdown 20 ;;
  migrate) exec "$venv/bin/python" -m alembic -c alembic.ini upgrade head ;;
  *) echo "usage: $0 VENV DIR serve|migrate" >&2; exit 2 ;;
esac
