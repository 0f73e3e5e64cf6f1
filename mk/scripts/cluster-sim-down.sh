#!/usr/bin/env bash
# Stops exactly the processes cluster-sim-up.sh started: for each DIR/pids/NAME.pid whose process
# still runs the binary recorded in NAME.bin, SIGTERM (SIGKILL after 10 s), then removes the pid
# files. Never signals anything by name. The state (DIR/etcd, logs, kubeconfig) is kept for reading.
# Usage: cluster-sim-down.sh DIR [--check | NAME...]
#   --check: stop nothing; exit 0 when every recorded process is alive, 1 otherwise.
#   NAME...: stop only these recorded processes, in this order (tests/cluster/node.sh uses it).
set -euo pipefail
dir=${1:?usage: cluster-sim-down.sh DIR [--check | NAME...]}
mode=${2:-stop}
shopt -s nullglob

# ours PIDFILE: prints the pid when that process is alive and runs the recorded binary
ours() {
  local pidfile=$1 pid bin exe
  pid=$(cat "$pidfile" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  bin=$(cat "${pidfile%.pid}.bin" 2>/dev/null) || return 1
  exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
  [[ $exe == "$(readlink -f "$bin")" ]] || return 1
  echo "$pid"
}

pidfiles=("$dir"/pids/*.pid)
if [[ $mode == --check ]]; then
  ((${#pidfiles[@]} > 0)) || exit 1
  for f in "${pidfiles[@]}"; do
    ours "$f" >/dev/null || { echo "cluster-sim: $(basename "$f" .pid) is not running" >&2; exit 1; }
  done
  exit 0
fi

# Reverse start order: kwok, scheduler, controller-manager, then the API server, etcd last.
order=(kwok kube-scheduler kube-controller-manager kube-apiserver etcd)
(($# > 1)) && order=("${@:2}")
stopped=()
for name in "${order[@]}"; do
  f=$dir/pids/$name.pid
  [[ -f $f ]] || continue
  if pid=$(ours "$f"); then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do [[ -e /proc/$pid ]] || break; sleep 0.1; done
    if [[ -e /proc/$pid ]]; then kill -KILL "$pid" 2>/dev/null || true; fi
    stopped+=("$name($pid)")
  fi
  rm -f "$f" "${f%.pid}.bin"
done
if ((${#stopped[@]})); then
  echo "cluster-sim: stopped ${stopped[*]}"
else
  echo "cluster-sim: nothing to stop in $dir${2:+ (${order[*]})}"
fi
