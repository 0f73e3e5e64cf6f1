#!/usr/bin/env bash
# Backend load benchmark on this machine: a private PostgreSQL, the API with WEB_CONCURRENCY
# workers (default 2) and its normal JSON request log (LOG_LEVEL=info), then:
#   (a) closed model: CONNECTIONS (100) clients for DURATION (30s) on list-tasks and on
#       create-task, with `probe load` and wrk (Debian) as the peer;
#   (b) open model: `probe load --rate RATE` (500 req/s) with CONNECTIONS connections on
#       list-tasks, latency from each request's scheduled send time (no coordinated omission);
#   startup: launching the server to the first /ready 200.
# Each repetition (RUNS, default 1) uses a fresh user with TASKS (20) tasks, so every list run
# reads the same number of rows; summarize.py prints medians and which targets were met.
# Load generators run one thread each (-t 1): on 2 cores a second generator thread takes CPU
# from the server it measures.
#   flock /tmp/bench.lock bash bench/backend/run.sh     (repo root, after `make tools`)
# Knobs: DURATION=30s CONNECTIONS=100 RATE=500 WEB_CONCURRENCY=2 TASKS=20 RUNS=1 LOADGEN_THREADS=1
#        BENCH_VENV (default build/venv-backend-bench: requirements.txt only, what the image ships)
#        BENCH_APP_DIR (default docker/backend; e.g. an older tree from `git archive` to compare)
set -euo pipefail
root=$(pwd)
here=$root/bench/backend
duration=${DURATION:-30s}
conns=${CONNECTIONS:-100}
rate=${RATE:-500}
workers=${WEB_CONCURRENCY:-2}
ntasks=${TASKS:-20}
runs=${RUNS:-1}
lt=${LOADGEN_THREADS:-1}
probe=$root/build/bin/probe
app_dir=$(realpath -m "${BENCH_APP_DIR:-$root/docker/backend}")
venv=$(realpath -m "${BENCH_VENV:-$root/build/venv-backend-bench}")
[[ -x $probe ]] || { echo "bench: $probe missing (make tools)" >&2; exit 2; }
command -v wrk >/dev/null || { echo "bench: wrk missing (apt-get install wrk)" >&2; exit 2; }
if [[ -z ${BENCH_VENV:-} ]]; then
  "$root/mk/scripts/backend-venv.sh" "$venv" "$root/docker/backend/requirements.txt" >&2
fi

work=$(mktemp -d /tmp/bench-backend.XXXXXX)
chmod 0755 "$work" # pg-temp runs PostgreSQL as the postgres user
results=$work/results.jsonl
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
  BACKEND_PORT=$port BACKEND_HOST=127.0.0.1 WEB_CONCURRENCY=$workers LOG_LEVEL=info ENV_FILE=/dev/null \
  PYTHONDONTWRITEBYTECODE=1
(cd "$app_dir" && "$venv/bin/python" -m alembic -c alembic.ini upgrade head 2>/dev/null)

start=$(date +%s.%N)
(cd "$app_dir" && exec "$venv/bin/python" -m app.serve >"$work/server.log" 2>&1) &
server_pid=$!
until curl -sf -o /dev/null "$base/ready"; do
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.02
done
ready=$(date +%s.%N)
startup=$(awk -v a="$start" -v b="$ready" 'BEGIN{printf "%.2f", b-a}')
echo "{\"kind\": \"startup\", \"seconds\": $startup}" >>"$results"
loop=$("$venv/bin/python" -c 'import importlib.util as u; print("uvloop" if u.find_spec("uvloop") else "asyncio")')

pressure() { [[ -r /proc/pressure/cpu ]] && echo ", CPU pressure $(head -n 1 /proc/pressure/cpu | cut -d' ' -f2-3)"; }
echo "backend bench: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)$(pressure), WEB_CONCURRENCY=$workers," \
  "event loop $loop, $conns connections, $duration per run, $runs run(s), $ntasks tasks listed," \
  "load generators with $lt thread(s)"
echo "startup: launch to first /ready 200 in ${startup}s"

# A fresh user with ntasks tasks; sets token, uid and the header file the tools read.
new_user() {
  local reg
  reg=$(curl -sf -X POST "$base/api/auth/register" -H 'Content-Type: application/json' \
    -d "{\"email\":\"bench-$1@example.com\",\"password\":\"bench-password-1\"}")
  token=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])' <<<"$reg")
  uid=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["user"]["id"])' <<<"$reg")
  (umask 077 && printf 'Authorization: Bearer %s\n' "$token" >"$work/auth.hdr")
  for i in $(seq "$ntasks"); do
    curl -sf -o /dev/null -X POST "$base/api/$uid/tasks" -H "@$work/auth.hdr" \
      -H 'Content-Type: application/json' -d "{\"title\":\"task $i\"}"
  done
}
# CPU time (clock ticks, user + system) of a process and its children: the server's workers,
# PostgreSQL's backends. A figure the other tenants of the machine do not change much.
tree_ticks() {
  local pids
  pids="$1 $(pgrep -P "$1" | tr '\n' ' ')"
  for p in $pids; do cut -d')' -f2 "/proc/$p/stat" 2>/dev/null; done | awk '{t += $12 + $13} END {print t + 0}'
}
pg_pid=$(head -n 1 "$work/pg/data/postmaster.pid")
hz=$(getconf CLK_TCK)
# One result line: kind name requests-json, with the CPU seconds the server, PostgreSQL and the
# load generator used (ticks, ticks, seconds).
record() {
  local kind=$1 name=$2 json=$3 app_cpu=$4 pg_cpu=$5 gen_cpu=$6
  echo "{\"kind\": \"$kind\", \"scenario\": \"$name\", \"app_cpu_s\": $(awk -v t="$app_cpu" -v h="$hz" \
    'BEGIN{print t/h}'), \"pg_cpu_s\": $(awk -v t="$pg_cpu" -v h="$hz" 'BEGIN{print t/h}'), \"gen_cpu_s\": $gen_cpu," \
    "\"result\": ${json:-null}}" | tee -a "$results" | python3 "$here/summarize.py" --line
}
TIMEFORMAT='%U %S' # bash's `time`: the generator's own user and system CPU seconds
# probe load: name url [extra args]
run_probe() {
  local name=$1 u=$2 out a0 p0
  shift 2
  a0=$(tree_ticks "$server_pid") p0=$(tree_ticks "$pg_pid")
  { time "$probe" load "$u" -c "$conns" -d "$duration" -t "$lt" --timeout 10s --header "@$work/auth.hdr" \
    --json "$@" >"$work/out" 2>/dev/null || true; } 2>"$work/gen.time"
  out=$(cat "$work/out")
  record probe "$name" "$out" $(($(tree_ticks "$server_pid") - a0)) $(($(tree_ticks "$pg_pid") - p0)) \
    "$(awk '{print $1 + $2}' "$work/gen.time")" | sed "s/^/  probe  $name: /"
}
# wrk (its text output reduced to the same JSON fields): name url lua-script
run_wrk() {
  local name=$1 out a0 p0
  a0=$(tree_ticks "$server_pid") p0=$(tree_ticks "$pg_pid")
  { time TOKEN=$token wrk -t"$lt" -c"$conns" -d"$duration" --latency -s "$here/$3" "$2" >"$work/out"; } 2>"$work/gen.time"
  out=$(python3 "$here/summarize.py" --wrk <"$work/out")
  record wrk "$name" "$out" $(($(tree_ticks "$server_pid") - a0)) $(($(tree_ticks "$pg_pid") - p0)) \
    "$(awk '{print $1 + $2}' "$work/gen.time")" | sed "s/^/  wrk    $name: /"
}

# Warm-up, not measured: each worker finishes loading the MCP SDK in the background after
# /ready (seconds of CPU), opens its pool and prepares its statements.
for _ in $(seq 300); do
  (($(grep -c '"msg": "mcp ready"' "$work/server.log" || true) >= workers)) && break
  sleep 0.1
done
new_user warmup
"$probe" load "$base/api/$uid/tasks" -c "$conns" -d 3s -t "$lt" --header "@$work/auth.hdr" >/dev/null || true

for r in $(seq "$runs"); do
  new_user "$r"
  list=$base/api/$uid/tasks?status=all
  create=$base/api/$uid/tasks
  echo "== run $r of $runs"
  # Every list run comes before the create runs: each create adds a row to the list they read.
  run_probe list-closed "$list"
  run_wrk list-closed "$list" get.lua
  run_probe list-open "$list" --rate "$rate"
  run_probe create-closed "$create" --method POST --header "Content-Type: application/json" \
    --data '{"title":"bench task","description":"created by probe"}'
  run_wrk create-closed "$create" post.lua
done

kill -TERM "$server_pid" && wait "$server_pid" || true
server_pid=
logged=$(grep -c '"logger": "app.access"' "$work/server.log" || true)
errors=$(grep -c '"status": 5' "$work/server.log" || true)
echo "{\"kind\": \"server\", \"request_log_lines\": $logged, \"status_5xx\": $errors}" >>"$results"
# A request id starts with its worker's random 16-hex-digit prefix: requests served per worker.
per_worker=$(grep -o '"request_id": "[0-9a-f]\{16\}' "$work/server.log" | cut -c16- | sort | uniq -c |
  awk '{printf "%s%s", sep, $1; sep=" / "}')
echo "machine at the end: load average $(cut -d' ' -f1-3 /proc/loadavg)$(pressure) (other tenants share these cores)"
echo "server log: $logged request log lines, $errors responses with status 5xx, requests per worker: $per_worker"
python3 "$here/summarize.py" --report "$conns" "$rate" <"$results"
