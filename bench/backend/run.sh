#!/usr/bin/env bash
# Backend benchmark on this machine: a private PostgreSQL, the API with WEB_CONCURRENCY workers
# (default 2), then 100 concurrent clients for DURATION (default 30s) on list-tasks and on
# create-task, with `probe load` (when it takes --header) and wrk (Debian) as the peer.
# Also: startup time from launching the server to the first /ready 200.
#   bench/backend/run.sh            (run from the repo root, after make deps-backend tools)
# Knobs: DURATION=30s CONNECTIONS=100 WEB_CONCURRENCY=2 TASKS=20
set -euo pipefail
root=$(pwd)
here=$root/bench/backend
venv=$root/build/venv-backend
duration=${DURATION:-30s}
conns=${CONNECTIONS:-100}
workers=${WEB_CONCURRENCY:-2}
ntasks=${TASKS:-20}
probe=$root/build/bin/probe
work=$(mktemp -d /tmp/bench-backend.XXXXXX)
chmod 0755 "$work" # pg-temp runs PostgreSQL as the postgres user
server_pid=
cleanup() {
  [[ -n $server_pid ]] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  "$root/mk/scripts/pg-temp.sh" stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

url=$("$root/mk/scripts/pg-temp.sh" start "$work/pg" | cut -d= -f2-)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
export DATABASE_URL=$url JWT_SECRET=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n') CHAT_PROVIDER=local \
  BACKEND_PORT=$port BACKEND_HOST=127.0.0.1 WEB_CONCURRENCY=$workers LOG_LEVEL=warning ENV_FILE=/dev/null \
  PYTHONDONTWRITEBYTECODE=1
(cd "$root/docker/backend" && "$venv/bin/python" -m alembic -c alembic.ini upgrade head 2>/dev/null)

start=$(date +%s.%N)
(cd "$root/docker/backend" && exec "$venv/bin/python" -m app.serve >"$work/server.log" 2>&1) &
server_pid=$!
until curl -sf -o /dev/null "$base/ready"; do
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.05
done
ready=$(date +%s.%N)
startup=$(awk -v a="$start" -v b="$ready" 'BEGIN{printf "%.2f", b-a}')

reg=$(curl -sf -X POST "$base/api/auth/register" -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","password":"bench-password-1"}')
token=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])' <<<"$reg")
uid=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["user"]["id"])' <<<"$reg")
for i in $(seq "$ntasks"); do
  curl -sf -o /dev/null -X POST "$base/api/$uid/tasks" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d "{\"title\":\"task $i\"}"
done
export TOKEN=$token
list=$base/api/$uid/tasks?status=all
create=$base/api/$uid/tasks

echo "backend bench: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), WEB_CONCURRENCY=$workers, $conns clients, $duration, $ntasks tasks listed"
echo "startup: launch to first /ready 200 in ${startup}s"

run_wrk() { # name url script
  echo "== wrk: $1"
  wrk -t2 -c"$conns" -d"$duration" --latency -s "$here/$3" "$2" | sed -n '/Latency Distribution/,$p'
}
probe_supports_headers() {
  [[ -x $probe ]] && "$probe" load "$base/health" -c 1 -n 1 --header "X-A: b" >/dev/null 2>&1
}
run_probe() { # name url [extra args]
  local name=$1 u=$2
  shift 2
  echo "== probe load: $name"
  "$probe" load "$u" -c "$conns" -d "$duration" --timeout 10s --header "Authorization: Bearer $token" "$@" || true
}

# Both list runs come before any create run: every create adds a task to the list they read,
# and a list of thousands of tasks is a different benchmark.
have_probe=0
probe_supports_headers && have_probe=1
run_wrk "GET list-tasks" "$list" get.lua
if ((have_probe)); then run_probe "GET list-tasks" "$list"; fi
run_wrk "POST create-task" "$create" post.lua
if ((have_probe)); then
  run_probe "POST create-task" "$create" --method POST --header "Content-Type: application/json" \
    --data '{"title":"bench task"}'
else
  echo "== probe load: skipped (build/bin/probe missing or without --header)"
fi
errors=$(grep -c '"status": 5' "$work/server.log" || true)
echo "server log: $errors responses with status 5xx"
