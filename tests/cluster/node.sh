#!/usr/bin/env bash
# A real single-node Kubernetes for the tests: the control plane of cluster-sim (no kwok nodes)
# plus one node that runs real containers: containerd (Debian's, its own root, state and socket),
# runc, the CNI bridge and portmap plugins, kubelet and kube-proxy (built from our module),
# CoreDNS as a host process on the bridge's address (no upstream: nothing outside the cluster
# resolves), local PersistentVolumes, and the base images from the Docker test engine.
#
#   node.sh up DIR      start it (no-op when DIR's cluster already runs); prints the KUBECONFIG line
#   node.sh down DIR    stop exactly what `up` started and restore the host; exit 1 when the host
#                       differs from how `up` found it (host-state.sh before and after, diffed)
#   node.sh status DIR  exit 0 when DIR's node runs and the API server answers
#
# Safety: before the first pod, a firewall chain drops every packet a pod sends through the
# bridge to anywhere but the bridge, so pods never reach beyond this machine. Fixed ports
# (10250, 10248, 10249, 10256, 53 on the bridge), the bridge, the node address and the cgroup
# root allow one such cluster per host: a lock (LOCK) and checks refuse a second one.
#
# Env (up): KUBE_BIN (kubectl, kubelet, kube-proxy), COREDNS, the control plane's (cluster-sim-up.sh),
#   DOCKER_HOST (the engine holding PAUSE_IMAGE and NODE_BASE_IMAGES), PAUSE_IMAGE,
#   NODE_BASE_IMAGES ("postgres:15-alpine": images the chart pulls from a registry),
#   NODE_NAME (todo-node), NODE_IP (198.51.100.10, TEST-NET-2, on a device of its own), POD_CIDR
#   (10.244.0.0/24), BRIDGE (todo-cni0), CNI_BIN (/usr/lib/cni), PV_COUNT (6), NODE_NICE (nice -n 0),
#   LOCK (/run/lock/todo-cluster-node), SERVICE_CIDR (the control plane's, from mk/cluster-sim.mk)
set -euo pipefail

usage() { echo "usage: node.sh up DIR | down DIR | status DIR" >&2; exit 2; }
(($# == 2)) || usage
cmd=$1
dir=$2
[[ $dir == /* ]] || dir="$PWD/$dir"
dir=${dir%/}
here=$(cd "$(dirname "$0")" && pwd)
scripts=$(cd "$here/../../mk/scripts" && pwd)
# shellcheck source=../../mk/scripts/cluster-sim-lib.sh
. "$scripts/cluster-sim-lib.sh"
cp_dir=$dir/control-plane
lock=${LOCK:-/run/lock/todo-cluster-node}
export CONTAINERD_ADDRESS=$dir/containerd.sock

log() { echo "cluster-node: $*" >&2; }
die() { log "$*"; exit 1; }

# Settings, kept in DIR/node.env so that `down` and host-state.sh read the same values.
write_settings() {
  local cidr=${POD_CIDR:-10.244.0.0/24}
  [[ $cidr =~ ^([0-9]+\.[0-9]+\.[0-9]+)\.0/24$ ]] || die "POD_CIDR=$cidr: use a /24 such as 10.244.0.0/24"
  cat >"$dir/node.env" <<EOF
NODE_NAME=${NODE_NAME:-todo-node}
NODE_IP=${NODE_IP:-198.51.100.10}
NODE_IFACE=todo-node0
BRIDGE=${BRIDGE:-todo-cni0}
POD_CIDR=$cidr
SERVICE_CIDR=${SERVICE_CIDR:?set SERVICE_CIDR (mk/cluster-sim.mk does)}
GATEWAY=${BASH_REMATCH[1]}.1
CGROUP_ROOT=todo-node
CNI_BIN=${CNI_BIN:-/usr/lib/cni}
ISOLATION_CHAIN=TODO-NODE-ISOLATION
LOCK=$lock
EOF
}
load_settings() {
  # shellcheck source=/dev/null
  . "$dir/node.env"
}

# --- checks before anything starts ---

require_tools() {
  local b
  [[ $(id -u) -eq 0 ]] || die "must run as root (kubelet, containerd and the bridge need it)"
  for b in containerd ctr runc iptables ip6tables iptables-save iptables-restore ip conntrack ss openssl docker; do
    command -v "$b" >/dev/null || die "$b is missing: make deps-cluster-node installs the Debian packages"
  done
  for b in bridge host-local portmap loopback; do
    [[ -x $CNI_BIN/$b ]] || die "the CNI plugin $CNI_BIN/$b is missing: make deps-cluster-node installs containernetworking-plugins"
  done
  for b in "$KUBE_BIN/kubelet" "$KUBE_BIN/kube-proxy" "$KUBE_BIN/kubectl" "$COREDNS"; do
    [[ -x $b ]] || die "$b is missing: run 'make deps-cluster-sim' first"
  done
}

# Refuses when another cluster holds what this one needs (the fixed ports, the bridge, the node
# address, the subnet, kube-proxy's or CNI's firewall chains, the cgroup root).
require_free() {
  local p held
  for p in 10250 10248 10249 10256; do
    held=$(ss -Hltnp "sport = :$p" 2>/dev/null | head -n 1)
    [[ -z $held ]] || die "port $p (kubelet/kube-proxy) is taken: $held"
  done
  held=$(ss -Hlunp "sport = :53" 2>/dev/null | awk -v g="$GATEWAY" '$4 ~ "^(0\\.0\\.0\\.0|\\*|\\[::\\]|" g "):53$"' | head -n 1)
  [[ -z $held ]] || die "port 53 on $GATEWAY (the cluster DNS) is taken: $held"
  ip link show "$BRIDGE" >/dev/null 2>&1 && die "the bridge $BRIDGE exists: another node runs (or was not stopped)"
  ip link show "$NODE_IFACE" >/dev/null 2>&1 && die "the device $NODE_IFACE exists: another node runs (or was not stopped)"
  [[ -z $(ip -o addr show to "$NODE_IP" 2>/dev/null) ]] || die "the node address $NODE_IP is already on this host"
  held=$(ip -o route show match "$NODE_IP" 2>/dev/null | grep -v '^default' | head -n 1 || true)
  [[ -z $held ]] || die "the node address $NODE_IP lies in a network of this host: $held (set NODE_IP)"
  held=$(ip -o route show match "$GATEWAY" 2>/dev/null | grep -v '^default' | head -n 1 || true)
  [[ -z $held ]] || die "the pod subnet $POD_CIDR overlaps a route of this host: $held (set POD_CIDR)"
  held=$( (iptables-save; ip6tables-save) 2>/dev/null | grep -Eo '^:(KUBE|CNI|TODO-NODE)-[^ ]+' | head -n 3 | tr '\n' ' ' || true)
  [[ -z $held ]] || die "firewall chains of another Kubernetes node exist ($held): stop it first"
  held=$(find /sys/fs/cgroup -mindepth 2 -maxdepth 2 -type d -name "$CGROUP_ROOT" 2>/dev/null | head -n 1)
  [[ -z $held ]] || die "the cgroup $held exists: another node runs (or was not stopped)"
}

# take_lock: one node cluster per host. A lock left by a cluster that no longer runs anything
# (no process names its directory, no bridge) is taken over, saying so.
take_lock() {
  local owner
  mkdir -p "$(dirname "$lock")"
  if mkdir "$lock" 2>/dev/null; then echo "$dir" >"$lock/owner"; return; fi
  owner=$(cat "$lock/owner" 2>/dev/null || echo unknown)
  [[ $owner == "$dir" ]] && return
  if ! ip link show "$BRIDGE" >/dev/null 2>&1 && ! pgrep -f -- "$owner/" >/dev/null 2>&1; then
    log "taking over the lock $lock of $owner (nothing of it runs any more)"
    echo "$dir" >"$lock/owner"
    return
  fi
  die "another node cluster runs from $owner (lock $lock): stop it first (make cluster-node-down CLUSTER_NODE_DIR=$owner)"
}
release_lock() {
  [[ $(cat "$lock/owner" 2>/dev/null) == "$dir" ]] || return 0
  rm -f "$lock/owner"; rmdir "$lock" 2>/dev/null || true
}

running() {
  [[ -d $dir/pids ]] && "$scripts/cluster-sim-down.sh" "$dir" --check 2>/dev/null &&
    [[ -d $cp_dir/pids ]] && "$scripts/cluster-sim-down.sh" "$cp_dir" --check 2>/dev/null &&
    KUBECONFIG=$cp_dir/kubeconfig "$KUBE_BIN/kubectl" get --raw /readyz >/dev/null 2>&1
}

# --- the host's side: devices, firewall, kernel settings, cgroup root ---

network_up() {
  # The node's address lives on a port-less bridge: this kernel has no dummy devices.
  ip link add "$NODE_IFACE" type bridge
  ip addr add "$NODE_IP/32" dev "$NODE_IFACE"
  ip link set "$NODE_IFACE" up
  ip link add "$BRIDGE" type bridge
  ip addr add "$GATEWAY/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  # Pods never reach beyond the bridge: in mangle (before any filter rule kube-proxy or the
  # CNI plugins add), drop what comes in from the bridge and would leave through anything else,
  # except packets to the Services' range. Those are the ones kube-proxy did not translate: for
  # a Service without ready endpoints its filter rule REJECTs them, and the pod gets "connection
  # refused" at once, as on any cluster (dropping them here made a pod's connection to a backend
  # that was out of its Service wait for seconds of SYN retransmissions instead). The same chain
  # in filter, whose jump kube-proxy's own jumps (prepended) precede, drops whatever is left.
  local table
  for table in mangle filter; do
    iptables -w -t "$table" -N "$ISOLATION_CHAIN"
    iptables -w -t "$table" -I FORWARD 1 -j "$ISOLATION_CHAIN"
  done
  iptables -w -t mangle -A "$ISOLATION_CHAIN" -i "$BRIDGE" ! -o "$BRIDGE" ! -d "$SERVICE_CIDR" -j DROP
  iptables -w -t filter -A "$ISOLATION_CHAIN" -i "$BRIDGE" ! -o "$BRIDGE" -j DROP
}

cgroups_up() {
  local h
  for h in /sys/fs/cgroup/*/; do
    mkdir "$h$CGROUP_ROOT"
    if [[ -f $h/cpuset.cpus ]]; then
      cat "$h/cpuset.cpus" >"$h$CGROUP_ROOT/cpuset.cpus"
      cat "$h/cpuset.mems" >"$h$CGROUP_ROOT/cpuset.mems"
    fi
  done
}

# --- configuration files ---

write_configs() {
  local pki=$dir/pki ca=$cp_dir/pki server
  server=$(KUBECONFIG=$cp_dir/kubeconfig "$KUBE_BIN/kubectl" config view --minify -o jsonpath='{.clusters[0].cluster.server}')
  mkdir -p "$pki" "$dir/cni/net.d" "$dir/cni/ipam" "$dir/pod-logs" "$dir/kubelet" "$dir/runc"
  cp "$ca/ca.crt" "$ca/ca.key" "$pki/"
  pki_cert "$pki" kubelet "/O=system:nodes/CN=system:node:$NODE_NAME"
  pki_cert "$pki" kube-proxy /CN=system:kube-proxy
  pki_cert "$pki" coredns /CN=todo-node:coredns
  rm -f "$pki/ca.key"
  pki_kubeconfig "$KUBE_BIN/kubectl" "$server" "$pki" "$dir/kubelet.kubeconfig" kubelet
  pki_kubeconfig "$KUBE_BIN/kubectl" "$server" "$pki" "$dir/kube-proxy.kubeconfig" kube-proxy
  pki_kubeconfig "$KUBE_BIN/kubectl" "$server" "$pki" "$dir/coredns.kubeconfig" coredns

  cat >"$dir/cni/net.d/10-todo-node.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "todo-node",
  "plugins": [
    {
      "type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": {
        "type": "host-local", "dataDir": "$dir/cni/ipam",
        "ranges": [[{"subnet": "$POD_CIDR", "gateway": "$GATEWAY"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF

  # restrict_oom_score_adj: this VM's bounding set lacks CAP_SYS_RESOURCE, so runc may not lower
  # a process's oom_score_adj; without it every sandbox fails to start.
  cat >"$dir/containerd.toml" <<EOF
version = 2
root = "$dir/containerd/root"
state = "$dir/containerd/state"
[grpc]
  address = "$CONTAINERD_ADDRESS"
[ttrpc]
  address = ""
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$dir/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  enable_selinux = false
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "$(command -v runc)"
        Root = "$dir/runc"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN"
    conf_dir = "$dir/cni/net.d"
    max_conf_num = 1
EOF

  # Kernel settings: kubelet changes a few (its "kernel tunables"); down restores them.
  cat >"$dir/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $pki/ca.crt}
authorization: {mode: Webhook}
containerRuntimeEndpoint: unix://$CONTAINERD_ADDRESS
cgroupDriver: cgroupfs
cgroupRoot: /$CGROUP_ROOT
failCgroupV1: false
failSwapOn: false
oomScoreAdj: 0
clusterDomain: cluster.local
clusterDNS: [$GATEWAY]
resolvConf: ""
podLogsDir: $dir/pod-logs
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: 100Mi, nodefs.available: 2%, imagefs.available: 2%}
serializeImagePulls: false
rotateCertificates: false
shutdownGracePeriod: 0s
maxPods: 110
EOF

  cat >"$dir/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $dir/kube-proxy.kubeconfig}
hostnameOverride: $NODE_NAME
mode: iptables
clusterCIDR: $POD_CIDR
detectLocalMode: ClusterCIDR
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
nodePortAddresses: [$NODE_IP/32]
oomScoreAdj: 0
iptables: {localhostNodePorts: false, masqueradeAll: false, syncPeriod: 30s, minSyncPeriod: 1s}
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s, udpTimeout: 0s, udpStreamTimeout: 0s}
EOF

  read -r health_port ready_port < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')
  echo "$ready_port" >"$dir/coredns-ready-port"
  # No forward plugin (and none built in): a name outside cluster.local never resolves.
  cat >"$dir/Corefile" <<EOF
.:53 {
    bind $GATEWAY
    errors
    health 127.0.0.1:$health_port
    ready 127.0.0.1:$ready_port
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig $dir/coredns.kubeconfig todo-cluster-sim
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }
    cache 30
    loadbalance
}
EOF
}

# The cluster objects the node needs: CoreDNS's read access, the StorageClass and local volumes.
apply_objects() {
  local i
  {
    cat <<'EOF'
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: 'todo-node:coredns'}
rules:
  - apiGroups: ['']
    resources: [endpoints, services, pods, namespaces]
    verbs: [list, watch]
  - apiGroups: [discovery.k8s.io]
    resources: [endpointslices]
    verbs: [list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: 'todo-node:coredns'}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: 'todo-node:coredns'}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: 'todo-node:coredns'}]
EOF
    storage_class_yaml node-local WaitForFirstConsumer
    for i in $(seq 1 "${PV_COUNT:-6}"); do
      mkdir -p "$dir/volumes/pv-$i"
      pv_yaml "node-pv-$i" node-local "todo-cluster-node: pv" "local: {path: $dir/volumes/pv-$i}" \
        "nodeAffinity: {required: {nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [$NODE_NAME]}]}]}}"
    done
  } | KUBECONFIG=$cp_dir/kubeconfig "$KUBE_BIN/kubectl" apply -f - >"$dir/objects.log"
}

# wait_for WHAT SECONDS CMD...: retry CMD until it succeeds; fail when a process of ours died.
wait_for() {
  local what=$1 limit=$2; shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "$what did not happen within ${limit}s"
    "$scripts/cluster-sim-down.sh" "$dir" --check >/dev/null 2>&1 || fail "a node process died while waiting for $what"
    sleep 0.5
  done
}

started=0
fail() {
  local l
  log "$*"
  for l in "$dir"/*.log; do [[ -f $l ]] && { echo "--- tail $l" >&2; tail -n 12 "$l" >&2; }; done
  down >&2 || true
  exit 1
}

up() {
  mkdir -p "$dir"
  if [[ -f $dir/node.env ]]; then
    load_settings
    if running; then
      log "already running (KUBECONFIG=$cp_dir/kubeconfig)"
      return 0
    fi
    [[ ! -d $dir/pids ]] || down >&2 || die "the previous node in $dir could not be stopped cleanly (see above)"
  fi
  local t0=$SECONDS
  rm -rf "$dir"
  mkdir -p "$dir/pids"
  write_settings
  load_settings
  require_tools
  take_lock
  trap release_lock EXIT
  require_free
  local images
  read -r -a images <<<"$PAUSE_IMAGE ${NODE_BASE_IMAGES:-}"
  docker image inspect "${images[@]}" >/dev/null 2>&1 ||
    die "the test engine (${DOCKER_HOST:-DOCKER_HOST unset}) lacks one of ${images[*]}: run 'make docker-bases' first"
  "$here/host-state.sh" "$dir" >"$dir/host-before.txt"
  for s in $("$here/host-state.sh" --sysctls); do
    v=$(sysctl -n "$s" 2>/dev/null) && printf '%s=%s\n' "$s" "$v"
  done >"$dir/sysctl-before.txt"
  trap '[[ $started == 1 ]] || fail "the start failed (see above)"' EXIT

  # The control plane at the node's priority too: the recoveries the tests measure wait on its
  # scheduler and controllers.
  SIM_NODES=0 NICE="${NODE_NICE:-nice -n 0}" "$scripts/cluster-sim-up.sh" "$cp_dir" >"$dir/control-plane.out" 2>&1 ||
    { cat "$dir/control-plane.out" >&2; fail "the control plane did not start"; }
  export KUBECONFIG=$cp_dir/kubeconfig
  kubectl=$KUBE_BIN/kubectl

  network_up
  cgroups_up
  write_configs
  # shellcheck disable=SC2034 # read by proc_start
  read -r -a nice <<<"${NODE_NICE:-nice -n 0}"

  proc_start "$dir" containerd "$(command -v containerd)" --config "$dir/containerd.toml" --log-level warn
  wait_for "containerd" 30 ctr version
  docker save "${images[@]}" | ctr -n k8s.io images import - >"$dir/images.log" ||
    fail "importing ${images[*]} into containerd failed"

  proc_start "$dir" coredns "$COREDNS" -conf "$dir/Corefile"
  proc_start "$dir" kube-proxy "$KUBE_BIN/kube-proxy" --config "$dir/kube-proxy.yaml" --v 1
  proc_start "$dir" kubelet "$KUBE_BIN/kubelet" --config "$dir/kubelet.yaml" \
    --kubeconfig "$dir/kubelet.kubeconfig" --root-dir "$dir/kubelet" --cert-dir "$dir/kubelet/pki" \
    --hostname-override "$NODE_NAME" --node-ip "$NODE_IP" --v 1
  apply_objects
  wait_for "CoreDNS ready" 60 curl -fsS "http://127.0.0.1:$(cat "$dir/coredns-ready-port")/ready"
  wait_for "node $NODE_NAME Ready" 120 "$kubectl" wait --for=condition=Ready "node/$NODE_NAME" --timeout 5s

  started=1
  log "up in $((SECONDS - t0))s: node $NODE_NAME ($NODE_IP, pods on $BRIDGE $POD_CIDR, DNS $GATEWAY), containerd $CONTAINERD_ADDRESS"
  echo "cluster-node: export KUBECONFIG=$cp_dir/kubeconfig PATH=$KUBE_BIN:\$PATH CONTAINERD_ADDRESS=$CONTAINERD_ADDRESS"
}

# --- teardown ---

# Processes still around that belong to the node: containerd's shims (their command line names
# its socket) and whatever lives in the node's cgroups (containers whose shim is gone).
leftover_processes() {
  local p cmd
  for p in /proc/[0-9]*; do
    cmd=$( { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null) || continue
    [[ -n $cmd ]] || continue
    if [[ $cmd == *"$CONTAINERD_ADDRESS"* ]] || grep -q "/$CGROUP_ROOT/" "$p/cgroup" 2>/dev/null; then echo "${p#/proc/}"; fi
  done
  return 0
}

# Every chain named KUBE-*, CNI-* or ours, in every table, IPv4 and IPv6: the rules that jump to
# them from other chains go first, then the chains (one iptables-restore per table and family).
firewall_down() {
  local ipt table chains rules
  for ipt in iptables ip6tables; do
    for table in filter nat mangle raw; do
      chains=$("$ipt-save" -t "$table" 2>/dev/null | sed -nE 's/^:((KUBE|CNI|TODO-NODE)-[^ ]+) .*/\1/p')
      [[ -n $chains ]] || continue
      rules=$("$ipt-save" -t "$table" | grep -E '^-A ' | grep -E -- '-j (KUBE|CNI|TODO-NODE)-' | sed 's/^-A /-D /' || true)
      {
        echo "*$table"
        [[ -z $rules ]] || echo "$rules"
        sed 's/^/-F /' <<<"$chains"
        sed 's/^/-X /' <<<"$chains"
        echo COMMIT
      } | "$ipt-restore" -w --noflush || log "could not remove every chain of $ipt $table"
    done
  done
}

down() {
  [[ -f $dir/node.env ]] || { log "nothing to stop in $dir"; return 0; }
  load_settings
  local left=0 p m t pids=() ids
  local kubectl=$KUBE_BIN/kubectl

  "$scripts/cluster-sim-down.sh" "$dir" kubelet kube-proxy coredns >&2 || true
  # Every container and sandbox, killed through containerd (kubelet is gone: nothing restarts them).
  if [[ -S $CONTAINERD_ADDRESS ]] && timeout 10 ctr version >/dev/null 2>&1; then
    mapfile -t ids < <(ctr -n k8s.io tasks ls -q 2>/dev/null)
    for t in "${ids[@]}"; do ctr -n k8s.io tasks kill -s SIGKILL "$t" >/dev/null 2>&1 || true; done
    for t in "${ids[@]}"; do ctr -n k8s.io tasks rm -f "$t" >/dev/null 2>&1 || true; done
    mapfile -t ids < <(ctr -n k8s.io containers ls -q 2>/dev/null)
    for t in "${ids[@]}"; do ctr -n k8s.io containers rm "$t" >/dev/null 2>&1 || true; done
  fi
  "$scripts/cluster-sim-down.sh" "$dir" containerd >&2 || true
  # Shims (their command line names our socket) and anything left in our cgroups.
  mapfile -t pids < <(leftover_processes)
  ((${#pids[@]} == 0)) || { kill -KILL "${pids[@]}" 2>/dev/null || true; sleep 0.5; }
  "$KUBE_BIN/kube-proxy" --cleanup >"$dir/kube-proxy-cleanup.log" 2>&1 || true

  # Mounts under DIR (volumes, sandboxes' /dev/shm and network namespaces, rootfs), deepest first.
  awk -v d="$dir" 'index($5, d "/") == 1 || $5 == d { print $5 }' /proc/self/mountinfo | sort -ru |
    while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done

  for p in $(ip -o link show master "$BRIDGE" 2>/dev/null | awk -F': ' '{sub(/@.*/, "", $2); print $2}'); do
    ip link delete "$p" 2>/dev/null || true
  done
  ip link delete "$BRIDGE" 2>/dev/null || true
  ip link delete "$NODE_IFACE" 2>/dev/null || true
  firewall_down
  conntrack -D -s "$POD_CIDR" >/dev/null 2>&1 || true
  conntrack -D -d "$POD_CIDR" >/dev/null 2>&1 || true

  if [[ -f $dir/sysctl-before.txt ]]; then
    while IFS='=' read -r k v; do
      [[ $(sysctl -n "$k" 2>/dev/null) == "$v" ]] || sysctl -q -w "$k=$v" || true
    done <"$dir/sysctl-before.txt"
  fi
  # Cgroups, deepest first (empty by now).
  find /sys/fs/cgroup -mindepth 2 -maxdepth 2 -type d -name "$CGROUP_ROOT" 2>/dev/null |
    while read -r m; do find "$m" -depth -type d -exec rmdir {} + 2>/dev/null || true; done

  "$scripts/cluster-sim-down.sh" "$cp_dir" >&2 || true
  # Paths kubelet and libcni create whatever they are told (the device plugin socket, the container
  # log links, CNI's result cache): removed when they were not there before.
  for p in /var/lib/kubelet /var/log/containers /var/lib/cni; do
    if [[ -f $dir/host-before.txt ]] && ! grep -qx "path $p" "$dir/host-before.txt"; then rm -rf "$p"; fi
  done
  find /var/log/containers -maxdepth 1 -lname "$dir/*" -delete 2>/dev/null || true
  rm -f "$dir/pids/"*.pid "$dir/pids/"*.bin "$CONTAINERD_ADDRESS"

  if [[ -f $dir/host-before.txt ]]; then
    "$here/host-state.sh" "$dir" >"$dir/host-after.txt"
    if ! diff "$dir/host-before.txt" "$dir/host-after.txt" >"$dir/host-diff.txt"; then
      log "the host differs from how the node found it (< before, > after):"
      cat "$dir/host-diff.txt" >&2
      left=1
    fi
  fi
  if ((left == 0)); then
    release_lock
    log "down: no process, mount, device, route, firewall chain, cgroup or kernel setting of the node left"
  fi
  return "$left"
}

case $cmd in
  up) up ;;
  down) down ;;
  status) [[ -f $dir/node.env ]] && load_settings && running ;;
  *) usage ;;
esac
