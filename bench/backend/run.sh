#!/usr/bin/env bash
# Backend benchmark: one backend as the chart runs it (the entrypoint's `serve`, WEB_CONCURRENCY=1,
# LOG_LEVEL=info so every request writes its JSON log line) under the chart's CPU limit, applied
# the way the kubelet applies it: a CFS quota (cgroup v1 cpu.cfs_quota_us, or v2 cpu.max) of
# CPU_LIMIT_MILLI (500) per 100 ms. Two trees side by side in the same invocation, against one
# private PostgreSQL (outside the limit, like a database pod):
#   old  BENCH_APP_DIR (a checkout of an older docker/backend), else `git archive BENCH_BASE`
#   new  docker/backend of this tree
# Per tree and run (RUNS, default 1; the trees alternate): (1) closed model, CONNECTIONS (50)
# clients for DURATION (20s): the maximum throughput of list-tasks and of create-task; (2) open
# model at 50 % of that maximum (`probe load --rate`, latency from each request's scheduled send,
# no coordinated omission): its p99. summarize.py prints both trees side by side with the goals:
# throughput per core (req/s / CPU limit) new >= 0.8 x old, open-model p99 < 25 ms.
#   bench/backend/run.sh        (repo root, as root: it creates a cgroup; `make bench-backend`)
# Knobs: DURATION=20s CONNECTIONS=50 CPU_LIMIT_MILLI=500 TASKS=20 RUNS=1 BENCH_BASE=main BENCH_APP_DIR=
#        BENCH_VENV (default build/venv-backend-bench: requirements.txt only, what the image ships;
#        the old tree runs in it too, so its requirements must be a subset)
set -euo pipefail
root=$(pwd)
here=$root/bench/backend
duration=${DURATION:-20s}
conns=${CONNECTIONS:-50}
milli=${CPU_LIMIT_MILLI:-500}
ntasks=${TASKS:-20}
runs=${RUNS:-1}
probe=$root/build/bin/probe
venv=$(realpath -m "${BENCH_VENV:-$root/build/venv-backend-bench}")
[[ -x $probe ]] || { echo "bench: $probe missing (make tools)" >&2; exit 2; }
[[ $milli =~ ^[1-9][0-9]*$ ]] || { echo "bench: CPU_LIMIT_MILLI must be a positive integer, not '$milli'" >&2; exit 2; }
if [[ -z ${BENCH_VENV:-} ]]; then
  "$root/mk/scripts/backend-venv.sh" "$venv" "$root/docker/backend/requirements.txt" >&2
fi

work=$(mktemp -d /tmp/bench-backend.XXXXXX)
chmod 0755 "$work" # pg-temp runs PostgreSQL as the postgres user
results=$work/results.jsonl
server_pid=
cgroup=
cleanup() {
  if [[ -n $server_pid ]]; then kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null; fi
  [[ -n $cgroup && -d $cgroup ]] && rmdir "$cgroup" 2>/dev/null
  "$root/mk/scripts/pg-temp.sh" stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# The CPU limit: a cgroup of our own with a CFS quota, as the kubelet sets for limits.cpu.
period=100000
quota=$((milli * period / 1000))
if [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then # cgroup v2, unified
  cgroup=/sys/fs/cgroup/bench-backend-$$
  mkdir "$cgroup" && echo "$quota $period" >"$cgroup/cpu.max"
  limiter="cgroup v2 cpu.max $quota/$period"
elif [[ -d /sys/fs/cgroup/cpu ]]; then # cgroup v1 cpu controller
  cgroup=/sys/fs/cgroup/cpu/bench-backend-$$
  mkdir "$cgroup" && echo "$period" >"$cgroup/cpu.cfs_period_us" && echo "$quota" >"$cgroup/cpu.cfs_quota_us"
  limiter="cgroup v1 cpu.cfs_quota_us $quota per $period us"
else
  echo "bench: no cgroup cpu controller to apply the CPU limit (needs root and /sys/fs/cgroup)" >&2
  exit 2
fi

# The two trees.
new_dir=$root/docker/backend
if [[ -n ${BENCH_APP_DIR:-} ]]; then
  old_dir=$(realpath -m "$BENCH_APP_DIR")
  old_name=$old_dir
else
  base=${BENCH_BASE:-main}
  git rev-parse --verify -q "$base^{commit}" >/dev/null || { echo "bench: BENCH_BASE=$base is not a commit" >&2; exit 2; }
  mkdir -p "$work/old" && git archive "$base" docker/backend | tar -x -C "$work/old"
  old_dir=$work/old/docker/backend
  old_name="$base ($(git rev-parse --short "$base"))"
fi
[[ -f $old_dir/entrypoint.sh ]] || { echo "bench: $old_dir has no entrypoint.sh" >&2; exit 2; }

url=$("$root/mk/scripts/pg-temp.sh" start "$work/pg" | cut -d= -f2-)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base_url=http://127.0.0.1:$port
secret=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
export DATABASE_URL=$url JWT_SECRET=$secret CHAT_PROVIDER=local \
  BACKEND_PORT=$port BACKEND_HOST=127.0.0.1 WEB_CONCURRENCY=1 LOG_LEVEL=info ENV_FILE=/dev/null \
  PYTHONDONTWRITEBYTECODE=1 PYTHON=$venv/bin/python ENVCHECK=/bin/true ENV_SCHEMA=$root/env.schema.yaml
(cd "$new_dir" && "$venv/bin/python" -m alembic -c alembic.ini upgrade head 2>/dev/null)

# Starts a tree's server inside the cgroup (its entrypoint; /bin/true stands in for envcheck).
start_server() {
  local dir=$1
  APP_DIR=$dir sh -c 'echo $$ >"$1/cgroup.procs" && exec sh "$2/entrypoint.sh" serve' sh "$cgroup" "$dir" \
    >"$work/server.log" 2>&1 &
  server_pid=$!
  until curl -sf -o /dev/null "$base_url/ready"; do
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; exit 1; }
    sleep 0.05
  done
  # Warm-up, not measured: the MCP SDK loads in the background after /ready (seconds of CPU).
  for _ in $(seq 300); do
    grep -q '"msg": "mcp ready"' "$work/server.log" && break
    sleep 0.1
  done
}
stop_server() {
  kill -TERM "$server_pid" && wait "$server_pid" || true
  server_pid=
}

# A fresh user with ntasks tasks; sets uid and the header file probe reads.
new_user() {
  local reg token
  reg=$(curl -sf -X POST "$base_url/api/auth/register" -H 'Content-Type: application/json' \
    -d "{\"email\":\"bench-$1@example.com\",\"password\":\"bench-password-1\"}")
  token=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])' <<<"$reg")
  uid=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["user"]["id"])' <<<"$reg")
  (umask 077 && printf 'Authorization: Bearer %s\n' "$token" >"$work/auth.hdr")
  for i in $(seq "$ntasks"); do
    curl -sf -o /dev/null -X POST "$base_url/api/$uid/tasks" -H "@$work/auth.hdr" \
      -H 'Content-Type: application/json' -d "{\"title\":\"task $i\"}"
  done
}
# CPU time (clock ticks, user + system) of the server's processes.
tree_ticks() {
  local pids
  pids="$1 $(pgrep -P "$1" | tr '\n' ' ')"
  for p in $pids; do cut -d')' -f2 "/proc/$p/stat" 2>/dev/null; done | awk '{t += $12 + $13} END {print t + 0}'
}
hz=$(getconf CLK_TCK)
# probe load: side scenario url [extra args]; appends one result line, prints a summary.
measure() {
  local side=$1 name=$2 u=$3 a0 a1 out
  shift 3
  a0=$(tree_ticks "$server_pid")
  "$probe" load "$u" -c "$conns" -d "$duration" -t 1 --timeout 10s --header "@$work/auth.hdr" --json "$@" \
    >"$work/out" 2>/dev/null || true
  a1=$(tree_ticks "$server_pid")
  out=$(cat "$work/out")
  echo "{\"side\": \"$side\", \"scenario\": \"$name\", \"cpu_limit\": $(awk -v m="$milli" 'BEGIN{print m/1000}')," \
    "\"app_cpu_s\": $(awk -v t=$((a1 - a0)) -v h="$hz" 'BEGIN{print t/h}'), \"result\": ${out:-null}}" |
    tee -a "$results" | python3 "$here/summarize.py" --line | sed "s/^/  $side $name: /"
}
half_rate() { python3 "$here/summarize.py" --half-rate "$1" "$2" <"$results"; }

pressure() { [[ -r /proc/pressure/cpu ]] && echo ", CPU pressure $(head -n 1 /proc/pressure/cpu | cut -d' ' -f2-3)"; }
echo "backend bench: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)$(pressure)"
echo "  one backend, WEB_CONCURRENCY=1, LOG_LEVEL=info, CPU limit ${milli}m ($limiter);"
echo "  $conns connections, $duration per measurement, $runs run(s), $ntasks tasks listed"
echo "  old: $old_name"
echo "  new: $new_dir"

n=0
for r in $(seq "$runs"); do
  sides=(old new)
  ((r % 2 == 0)) && sides=(new old) # alternate which tree goes first
  for side in "${sides[@]}"; do
    dir=$old_dir
    [[ $side == new ]] && dir=$new_dir
    start_server "$dir"
    n=$((n + 1))
    new_user "$n"
    list="$base_url/api/$uid/tasks?status=all"
    create=$base_url/api/$uid/tasks
    body=(--method POST --header "Content-Type: application/json" --data '{"title":"bench task","description":"created by probe"}')
    echo "== run $r of $runs: $side"
    "$probe" load "$list" -c "$conns" -d 3s -t 1 --header "@$work/auth.hdr" >/dev/null || true # warm-up
    # List runs first: each create adds a row to the list they read.
    measure "$side" list-max "$list"
    measure "$side" list-open "$list" --rate "$(half_rate "$side" list-max)"
    measure "$side" create-max "$create" "${body[@]}"
    measure "$side" create-open "$create" --rate "$(half_rate "$side" create-max)" "${body[@]}"
    stop_server
    errors=$(grep -c '"status": 5' "$work/server.log" || true)
    echo "{\"side\": \"$side\", \"kind\": \"server\", \"status_5xx\": $errors}" >>"$results"
  done
done
echo "machine at the end: load average $(cut -d' ' -f1-3 /proc/loadavg)$(pressure) (other tenants share these cores)"
python3 "$here/summarize.py" --report <"$results"
