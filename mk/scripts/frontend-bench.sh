#!/usr/bin/env bash
# Runs bench/frontend/measure.mjs against a private PostgreSQL + native backend + built frontend.
set -euo pipefail
mkdir -p build/bench-frontend
pgdir=$(mktemp -d /tmp/todo-bench-pg.XXXXXX)
cleanup() { mk/scripts/pg-temp.sh stop "$pgdir" >/dev/null 2>&1 || true; rm -rf "$pgdir"; }
trap cleanup EXIT INT TERM
db_line=$(mk/scripts/pg-temp.sh start "$pgdir")
export DATABASE_URL=${db_line#DATABASE_URL=}
export JWT_SECRET=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
make -s backend-migrate >build/bench-frontend/migrate.log 2>&1 || { cat build/bench-frontend/migrate.log >&2; exit 1; }
mk/scripts/frontend-build.sh
node bench/frontend/measure.mjs
