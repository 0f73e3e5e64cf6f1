#!/bin/sh
# Backend container entrypoint: validate the environment against env.schema.yaml, then run
#   serve    the API: uvicorn's own command line, WEB_CONCURRENCY workers (default 1: one
#            process per container, scaled by replicas), JSON logs, a 20 s graceful drain on
#            SIGTERM (under Kubernetes' 30 s default grace period); extra arguments go to uvicorn
#   migrate  alembic upgrade head (Compose one-shot service, Helm hook Job); only DATABASE_URL
#            is checked and needed
#   anything else is exec'd as given (e.g. `sh` for debugging).
# envcheck exits non-zero naming the missing/invalid keys (never their values), so a
# misconfigured pod crash-loops with a clear log line. ENVCHECK and ENV_SCHEMA override the
# image paths for native runs; APP_DIR is where app/ and alembic.ini live.
set -eu

ENVCHECK="${ENVCHECK:-/usr/local/bin/envcheck}"
ENV_SCHEMA="${ENV_SCHEMA:-/app/env.schema.yaml}"
APP_DIR="${APP_DIR:-$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)}"
PYTHON="${PYTHON:-python}"

if [ ! -x "$ENVCHECK" ]; then
  echo "entrypoint: envcheck not found or not executable at $ENVCHECK" >&2
  exit 2
fi
if [ ! -r "$ENV_SCHEMA" ]; then
  echo "entrypoint: schema not readable at $ENV_SCHEMA" >&2
  exit 2
fi
cmd="${1:-serve}"
# migrate needs only the database (its Job and Compose service get nothing else): check that.
only=""
[ "$cmd" = migrate ] && only="--only=DATABASE_URL"
rc=0
# shellcheck disable=SC2086 # $only is one word or none
"$ENVCHECK" --environ --schema "$ENV_SCHEMA" $only || rc=$?
if [ "$rc" -ne 0 ]; then
  echo "entrypoint: the environment is invalid (see above); not starting" >&2
  exit "$rc"
fi

cd "$APP_DIR"
[ "$#" -gt 0 ] && shift
case "$cmd" in
  serve)
    exec "$PYTHON" -m uvicorn app.main:create_app --factory \
      --host "${BACKEND_HOST:-0.0.0.0}" --port "${BACKEND_PORT:-8000}" --workers "${WEB_CONCURRENCY:-1}" \
      --log-config "$APP_DIR/app/core/logging.json" --no-access-log --no-server-header \
      --timeout-graceful-shutdown 20 "$@" ;;
  migrate) exec "$PYTHON" -m alembic -c "$APP_DIR/alembic.ini" upgrade head "$@" ;;
  *) exec "$cmd" "$@" ;;
esac
