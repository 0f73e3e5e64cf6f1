#!/usr/bin/env bash
# A private Docker engine for the tests: Debian's dockerd with its own data root, exec root,
# socket, pid file, config file and cgroup parent, so it never touches an engine the user runs.
#
#   engine.sh up DIR DATA_ROOT    start it (no-op when already running); prints DOCKER_HOST=...
#   engine.sh down DIR            stop it and restore the host: no process, mount, network
#                                 device or firewall rule of it left (exit 1 when something is)
#   engine.sh status DIR          exit 0 when it answers
#
# DIR (under build/) holds the socket, pid files, the exec root and the log; DATA_ROOT (under
# the cache) holds images and build cache between runs. The engine publishes ports through
# docker-proxy only: no iptables rules of Docker's own, no IP forwarding, no default bridge.
# Containers' user-defined networks come from ENGINE_POOL (10.213.0.0/16); a firewall chain
# drops anything they send off those networks, should forwarding be on. Builds that download
# use host networking (docker build --network host).
# Env: DOCKERD (dockerd), ENGINE_STORAGE (auto: overlay2, else vfs), ENGINE_POOL.
set -euo pipefail

usage() { echo "usage: engine.sh up DIR DATA_ROOT | down DIR | status DIR" >&2; exit 2; }
(($# >= 2)) || usage
cmd=$1
dir=$2
[[ $dir == /* ]] || dir="$PWD/$dir"
sock=$dir/docker.sock
pidfile=$dir/dockerd.pid
execroot=$dir/run
pool=${ENGINE_POOL:-10.213.0.0/16}
chain=TODO-DOCKER-TEST
export DOCKER_HOST=unix://$sock DOCKER_CONTEXT=default

log() { echo "docker-engine: $*" >&2; }
alive() { [[ -f $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }
answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

# Every mount point at or under one of our directories (deepest first).
our_mounts() {
  local data_root=""
  [[ -f $dir/data-root ]] && data_root=$(cat "$dir/data-root")
  awk -v a="$execroot" -v b="$data_root" '
    function under(m, r) { return r != "" && (m == r || index(m, r "/") == 1) }
    under($5, a) || under($5, b) { print $5 }' /proc/self/mountinfo | sort -ru
}
# Processes whose command line names our exec root or socket (dockerd, containerd, shims, proxies),
# never this script nor the shells and makes that called it (their command line may name the
# socket too: DOCKER_HOST=... in a recipe).
our_processes() {
  local p q skip=" "
  for ((q = $$; q > 1; q = $(awk '$1 == "PPid:" {print $2}' "/proc/$q/status" 2>/dev/null || echo 1))); do
    skip+="$q "
  done
  for p in /proc/[0-9]*; do
    [[ $skip == *" ${p#/proc/} "* ]] && continue
    { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -qF -e "$execroot" -e "$sock" && echo "${p#/proc/}"
  done
  return 0
}

# A dockerd other than ours whose --data-root is DATA_ROOT (two engines must never share one).
other_engine() {
  local p args
  for p in /proc/[0-9]*; do
    [[ $(readlink "$p/exe" 2>/dev/null) == */dockerd ]] || continue
    args=$( { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null) || continue
    [[ $args == *"--data-root $1 "* && $args != *"--exec-root $execroot "* ]] && { echo "${p#/proc/}"; return; }
  done
  return 0
}

firewall_up() {
  command -v iptables >/dev/null 2>&1 || { log "iptables is missing (apt-get install iptables)"; exit 1; }
  iptables -w -N "$chain" 2>/dev/null || iptables -w -F "$chain"
  iptables -w -A "$chain" -s "$pool" ! -d "$pool" -j DROP
  iptables -w -C FORWARD -j "$chain" 2>/dev/null || iptables -w -I FORWARD 1 -j "$chain"
}
firewall_down() {
  command -v iptables >/dev/null 2>&1 || return 0
  while iptables -w -D FORWARD -j "$chain" 2>/dev/null; do :; done
  iptables -w -F "$chain" 2>/dev/null || true
  iptables -w -X "$chain" 2>/dev/null || true
}

start() {
  local data_root=$1 driver=$2
  mkdir -p "$dir" "$execroot" "$data_root"
  echo "$data_root" >"$dir/data-root"
  echo '{}' >"$dir/daemon.json"
  rm -f "$sock"
  # setsid: the engine outlives the make that started it, in its own session.
  setsid dockerd --config-file "$dir/daemon.json" --data-root "$data_root" --exec-root "$execroot" \
    --host "unix://$sock" --pidfile "$pidfile" --storage-driver "$driver" \
    --iptables=false --ip-masq=false --ip-forward=false --bridge=none \
    --default-address-pool "base=$pool,size=24" --exec-opt native.cgroupdriver=cgroupfs \
    --cgroup-parent /todo-docker-test --userland-proxy=true --log-level warn \
    >>"$dir/dockerd.log" 2>&1 </dev/null &
  local pid=$! i
  echo "$pid" >"$dir/dockerd.launch.pid"
  for ((i = 0; i < 120; i++)); do
    answers && { echo "$driver" >"$dir/storage-driver"; return 0; }
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.5
  done
  kill "$pid" 2>/dev/null || true
  return 1
}

up() {
  local data_root=${1:?usage: engine.sh up DIR DATA_ROOT}
  [[ $data_root == /* ]] || data_root="$PWD/$data_root"
  if alive && answers; then
    log "already running (pid $(cat "$pidfile"), DOCKER_HOST=unix://$sock)"
  else
    [[ $(id -u) -eq 0 ]] || { log "must run as root (dockerd needs it)"; exit 1; }
    command -v dockerd >/dev/null 2>&1 || { log "dockerd is missing (make deps installs Debian's docker.io)"; exit 1; }
    if [[ -S $sock ]] || alive; then down_quiet; fi
    local other; other=$(other_engine "$data_root")
    [[ -z $other ]] || { log "another dockerd (pid $other) uses the data root $data_root: one engine per data root; wait for it to stop"; exit 1; }
    firewall_up
    local t0=$SECONDS driver=${ENGINE_STORAGE:-auto}
    if [[ $driver == auto ]]; then
      if ! start "$data_root" overlay2; then
        log "overlay2 does not work here ($(tail -n 1 "$dir/dockerd.log")); falling back to vfs"
        start "$data_root" vfs || { log "dockerd did not start; its log: $dir/dockerd.log"; tail -n 20 "$dir/dockerd.log" >&2; exit 1; }
      fi
    else
      start "$data_root" "$driver" || { log "dockerd did not start; its log: $dir/dockerd.log"; tail -n 20 "$dir/dockerd.log" >&2; exit 1; }
    fi
    log "up in $((SECONDS - t0))s (pid $(cat "$pidfile"), $(cat "$dir/storage-driver"), data root $data_root)"
  fi
  echo "DOCKER_HOST=unix://$sock"
}

down_quiet() { down >/dev/null 2>&1 || true; }

down() {
  local bridges=() pid i left=0
  if alive && answers; then
    # Stop running containers first so that a restart policy does not bring them back at
    # the next start, and remember the bridges of our networks to delete them afterwards.
    local running; mapfile -t running < <(docker ps -q)
    ((${#running[@]} == 0)) || docker stop -t 10 "${running[@]}" >/dev/null 2>&1 || true
    local id
    for id in $(docker network ls -q --filter driver=bridge --no-trunc); do bridges+=("br-${id:0:12}"); done
    printf '%s\n' "${bridges[@]}" >"$dir/bridges" 2>/dev/null || true
  elif [[ -f $dir/bridges ]]; then
    mapfile -t bridges <"$dir/bridges"
  fi
  if alive; then
    pid=$(cat "$pidfile")
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 60; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && { log "dockerd $pid did not stop in 30s; killing it"; kill -KILL "$pid" 2>/dev/null || true; }
  fi
  # containerd, shims and docker-proxy started by our dockerd, should any outlive it
  for pid in $(our_processes); do kill -TERM "$pid" 2>/dev/null || true; done
  sleep 0.2
  for pid in $(our_processes); do kill -KILL "$pid" 2>/dev/null || true; done
  local m
  for m in $(our_mounts); do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
  local b
  for b in "${bridges[@]}"; do ip link show "$b" >/dev/null 2>&1 && ip link delete "$b" 2>/dev/null; done
  firewall_down
  rm -rf "$execroot" "$sock" "$pidfile" "$dir/dockerd.launch.pid" "$dir/bridges"
  # Verify: what is still there is an error, named.
  local procs mounts devs
  procs=$(our_processes | tr '\n' ' ')
  mounts=$(our_mounts | tr '\n' ' ')
  devs=""
  for b in "${bridges[@]}"; do ip link show "$b" >/dev/null 2>&1 && devs+="$b "; done
  [[ -n $procs ]] && { log "processes left: $procs"; left=1; }
  [[ -n $mounts ]] && { log "mounts left: $mounts"; left=1; }
  [[ -n $devs ]] && { log "network devices left: $devs"; left=1; }
  ((left == 0)) && log "down: no process, mount, network device or firewall rule left"
  return "$left"
}

case $cmd in
  up) up "${3:-}" ;;
  down) down ;;
  status) alive && answers ;;
  *) usage ;;
esac
