#!/usr/bin/env bash
# Browser e2e: a private PostgreSQL (mk/scripts/pg-temp.sh), migrations (make backend-migrate),
# the built standalone frontend; tests/e2e/*.test.mjs then runs the backend (make backend-run)
# and Chromium itself. Everything listens on 127.0.0.1 and is stopped on exit, pass or fail.
# With E2E_BASE_URL (and E2E_API_URL, E2E_COMPOSE; see tests/e2e/stack.mjs) the same tests run
# against a stack that is already running, such as the Compose stack of `make up`.
set -euo pipefail
root=$(pwd)
out=${E2E_OUT:-build/e2e}
chromium=${CHROMIUM:-/usr/bin/chromium}

# Against a running stack (the Compose stack of `make up`): nothing to start here.
if [[ -n ${E2E_BASE_URL:-} ]]; then
  [[ -x $chromium ]] || { echo "e2e: $chromium is missing (apt-get install chromium)" >&2; exit 1; }
  mkdir -p "$out"
  echo "e2e: running tests/e2e in Chromium against the running stack at $E2E_BASE_URL"
  E2E_OUT=$out exec node --test --test-reporter=spec --test-concurrency=1 tests/e2e/
fi

missing=()
[[ -x mk/scripts/pg-temp.sh ]] || missing+=("mk/scripts/pg-temp.sh (private PostgreSQL)")
make -n backend-migrate >/dev/null 2>&1 || missing+=("make target backend-migrate")
make -n backend-run >/dev/null 2>&1 || missing+=("make target backend-run")
[[ -x $chromium ]] || missing+=("$chromium (apt-get install chromium)")
if ((${#missing[@]})); then
  printf 'e2e: cannot run, missing: %s\n' "${missing[@]}" >&2
  echo "e2e: 0 passed, 1 failed"
  exit 1
fi

mkdir -p "$out"
rm -f "$out"/*.png "$out"/*.log
pgdir=$(mktemp -d /tmp/todo-e2e-pg.XXXXXX)
cleanup() {
  mk/scripts/pg-temp.sh stop "$pgdir" >/dev/null 2>&1 || true
  rm -rf "$pgdir"
}
trap cleanup EXIT INT TERM

echo "e2e: starting PostgreSQL in $pgdir"
db_line=$(mk/scripts/pg-temp.sh start "$pgdir")
export DATABASE_URL=${db_line#DATABASE_URL=}
export JWT_SECRET=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
export CHAT_PROVIDER=local

echo "e2e: applying migrations"
make -s backend-migrate >"$out/migrate.log" 2>&1 || { cat "$out/migrate.log" >&2; exit 1; }

mk/scripts/frontend-build.sh

echo "e2e: running tests/e2e in Chromium ($("$chromium" --version 2>/dev/null | head -n1))"
status=0
E2E_PGDIR=$pgdir E2E_OUT=$out node --test --test-reporter=spec --test-concurrency=1 tests/e2e/ || status=$?
echo "e2e: screenshots and server logs in $root/$out"
exit $status
