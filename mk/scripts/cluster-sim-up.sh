#!/usr/bin/env bash
# Starts the cluster simulation: a REAL control plane (etcd, kube-apiserver with RBAC and the
# PodSecurity admission plugin, kube-controller-manager, kube-scheduler) on free loopback ports,
# plus kwok, which simulates 2 nodes (4 CPU, 8 GiB each) and the pod lifecycle. No container ever
# runs: pods become Running/Ready (and Job / helm-test pods Succeeded) because kwok writes their
# status. Then a default StorageClass and pre-created PersistentVolumes so PVCs bind.
# With SIM_NODES=0 it starts the control plane alone (no kwok, no nodes, no volumes): the real
# node (tests/cluster/node.sh) joins it. The API server can always reach kubelets (it holds a
# kubelet client certificate and uses the nodes' InternalIP).
#
# DIR (build/cluster) receives: kubeconfig (cluster-admin), pki/, etcd/, *.log, pids/*.pid,
# ports.env. Idempotent: when every process of DIR/pids is alive and the API answers, it only says so.
# Usage: cluster-sim-up.sh DIR
# Env: ETCD, KUBE_BIN (dir of kube-apiserver, kube-controller-manager, kube-scheduler, kubectl),
#      KWOK, KWOK_STAGES (dir of upstream Stage files), EXTRA_STAGES (dir of ours),
#      NICE ("nice -n 19"), START_TIMEOUT (120 seconds), SIM_NODES (2 or 0),
#      SERVICE_CIDR (the Services' range, a /16 or /24 such as 10.96.0.0/16)
set -euo pipefail
dir=${1:?usage: cluster-sim-up.sh DIR}
: "${ETCD:?} ${KUBE_BIN:?} ${KWOK:?} ${KWOK_STAGES:?} ${EXTRA_STAGES:?}"
# shellcheck disable=SC2034 # used by proc_start (cluster-sim-lib.sh)
read -r -a nice <<<"${NICE:-nice -n 19}"
timeout_s=${START_TIMEOUT:-120}
sim_nodes=${SIM_NODES:-2}
: "${SERVICE_CIDR:?set SERVICE_CIDR (mk/cluster-sim.mk does)}"
[[ $SERVICE_CIDR =~ ^([0-9]+\.[0-9]+\.[0-9]+)\.0/(16|24)$ ]] || { echo "cluster-sim: SERVICE_CIDR=$SERVICE_CIDR: use a /16 or /24 such as 10.96.0.0/16" >&2; exit 1; }
service_ip=${BASH_REMATCH[1]}.1 # the kubernetes Service's address, in the API server's certificate
[[ $sim_nodes == 0 || $sim_nodes == 2 ]] || { echo "cluster-sim: SIM_NODES=$sim_nodes: use 2 (kwok nodes) or 0 (control plane only)" >&2; exit 2; }
kubectl=$KUBE_BIN/kubectl
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=cluster-sim-lib.sh
. "$here/cluster-sim-lib.sh"

for b in "$ETCD" "$KUBE_BIN/kube-apiserver" "$KUBE_BIN/kube-controller-manager" "$KUBE_BIN/kube-scheduler" \
  "$kubectl" "$KWOK"; do
  [[ -x $b ]] || { echo "cluster-sim: $b is missing: run 'make deps-cluster-sim' first" >&2; exit 1; }
done

if [[ -d $dir/pids ]] && "$here/cluster-sim-down.sh" "$dir" --check 2>/dev/null &&
  KUBECONFIG=$dir/kubeconfig "$kubectl" get --raw /readyz >/dev/null 2>&1; then
  echo "cluster-sim: already running (KUBECONFIG=$dir/kubeconfig)"
  exit 0
fi
"$here/cluster-sim-down.sh" "$dir" >/dev/null 2>&1 || true

t_start=$(date +%s.%N)
rm -rf "$dir"
mkdir -p "$dir/pki" "$dir/pids" "$dir/etcd"
dir=$(cd "$dir" && pwd)
pki=$dir/pki

# On failure: stop what was started and show the end of every log.
started=0
fail() {
  echo "cluster-sim: $*" >&2
  for l in "$dir"/*.log; do [[ -f $l ]] && { echo "--- tail $l" >&2; tail -n 15 "$l" >&2; }; done
  "$here/cluster-sim-down.sh" "$dir" >&2 || true
  exit 1
}
trap '[[ $started == 1 ]] || fail "start interrupted"' EXIT

# --- free loopback ports ---
read -r etcd_port peer_port api_port kcm_port sched_port kwok_port < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(6)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')
cat >"$dir/ports.env" <<EOF
ETCD_PORT=$etcd_port
APISERVER_PORT=$api_port
CONTROLLER_MANAGER_PORT=$kcm_port
SCHEDULER_PORT=$sched_port
KWOK_PORT=$kwok_port
EOF

# --- certificates (openssl): one CA, the API server's serving cert, one client cert per component ---
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=todo-cluster-sim-ca \
  -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>>"$pki/openssl.log"
cert() { pki_cert "$pki" "$@"; }
cert apiserver /CN=kube-apiserver \
  "IP:127.0.0.1,IP:$service_ip,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
cert admin "/O=system:masters/CN=cluster-admin"
cert controller-manager /CN=system:kube-controller-manager
# The API server's identity towards kubelets (logs, exec, port-forward).
cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"
cert scheduler /CN=system:kube-scheduler
# kwok plays every kubelet (node and pod status of all simulated nodes): an admin identity.
cert kwok "/O=system:masters/CN=kwok"
openssl genrsa -out "$pki/sa.key" 2048 2>>"$pki/openssl.log"
openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>>"$pki/openssl.log"

server=https://127.0.0.1:$api_port
kubeconfig() { pki_kubeconfig "$kubectl" "$server" "$pki" "$@"; }
kubeconfig "$dir/kubeconfig" admin
kubeconfig "$dir/controller-manager.kubeconfig" controller-manager
kubeconfig "$dir/scheduler.kubeconfig" scheduler
kubeconfig "$dir/kwok.kubeconfig" kwok
export KUBECONFIG=$dir/kubeconfig

start() { proc_start "$dir" "$@"; }
# wait_for WHAT CMD...: retry CMD until it succeeds or the timeout
wait_for() {
  local what=$1; shift
  local deadline=$((SECONDS + timeout_s))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "$what did not come up within ${timeout_s}s"
    "$here/cluster-sim-down.sh" "$dir" --check >/dev/null || fail "a process died while waiting for $what"
    sleep 0.5
  done
}

start etcd "$ETCD" --name sim --data-dir "$dir/etcd" \
  --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
  --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
  --initial-cluster "sim=http://127.0.0.1:$peer_port" --listen-metrics-urls "" \
  --unsafe-no-fsync --quota-backend-bytes 1073741824 --log-level warn
wait_for etcd curl -fsS "http://127.0.0.1:$etcd_port/health"

start kube-apiserver "$KUBE_BIN/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:$etcd_port" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
  --endpoint-reconciler-type none \
  --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
  --client-ca-file "$pki/ca.crt" \
  --kubelet-client-certificate "$pki/apiserver-kubelet-client.crt" --kubelet-client-key "$pki/apiserver-kubelet-client.key" \
  --kubelet-preferred-address-types InternalIP \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
  --service-cluster-ip-range "$SERVICE_CIDR" --service-node-port-range 30000-32767 \
  --authorization-mode Node,RBAC \
  --enable-admission-plugins NamespaceLifecycle,LimitRanger,ServiceAccount,DefaultStorageClass,ResourceQuota,NodeRestriction,PodSecurity \
  --allow-privileged=false --profiling=false --v 1
wait_for kube-apiserver "$kubectl" get --raw /readyz

start kube-controller-manager "$KUBE_BIN/kube-controller-manager" \
  --kubeconfig "$dir/controller-manager.kubeconfig" \
  --authentication-kubeconfig "$dir/controller-manager.kubeconfig" \
  --authorization-kubeconfig "$dir/controller-manager.kubeconfig" \
  --bind-address 127.0.0.1 --secure-port "$kcm_port" --leader-elect=false \
  --use-service-account-credentials \
  --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
  --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key" \
  --service-cluster-ip-range "$SERVICE_CIDR" --profiling=false --v 1
start kube-scheduler "$KUBE_BIN/kube-scheduler" \
  --kubeconfig "$dir/scheduler.kubeconfig" \
  --authentication-kubeconfig "$dir/scheduler.kubeconfig" \
  --authorization-kubeconfig "$dir/scheduler.kubeconfig" \
  --bind-address 127.0.0.1 --secure-port "$sched_port" --leader-elect=false --profiling=false --v 1

# finish WHAT: wait for the default ServiceAccount, then say what runs where.
finish() {
  wait_for "the default ServiceAccount" "$kubectl" get serviceaccount default -n default
  started=1
  printf 'cluster-sim: up in %.1fs: API %s (kube-apiserver %s), %s, logs in %s\n' \
    "$(awk -v a="$(date +%s.%N)" -v b="$t_start" 'BEGIN{print a-b}')" "$server" \
    "$("$kubectl" version -o json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["serverVersion"]["gitVersion"])')" "$1" "$dir"
  echo "cluster-sim: export KUBECONFIG=$dir/kubeconfig PATH=$KUBE_BIN:\$PATH"
}
if ((sim_nodes == 0)); then
  finish "no node yet (SIM_NODES=0)"
  exit 0
fi

# kwok: the upstream "fast" stages (node init + heartbeat with lease, pod ready / Job complete /
# delete) and ours (helm test pods complete), in one config file.
{
  echo "apiVersion: config.kwok.x-k8s.io/v1alpha1"
  echo "kind: KwokConfiguration"
  echo "options:"
  echo "  nodeLeaseParallelism: 2"
  echo "  podPlayStageParallelism: 4"
  echo "  nodePlayStageParallelism: 2"
  echo "  podsOnNodeSyncParallelism: 2"
  for f in "$KWOK_STAGES"/*.yaml "$EXTRA_STAGES"/*.yaml; do echo "---"; grep -v '^---$' "$f"; done
} >"$dir/kwok.yaml"
start kwok "$KWOK" --config "$dir/kwok.yaml" --kubeconfig "$dir/kwok.kubeconfig" \
  --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
  --node-lease-duration-seconds 40 --server-address "127.0.0.1:$kwok_port"

# --- 2 simulated nodes, a default StorageClass, PersistentVolumes ---
nodes=""
for n in sim-node-1 sim-node-2; do
  nodes+="---
apiVersion: v1
kind: Node
metadata:
  name: $n
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: \"0\"
  labels:
    kubernetes.io/hostname: $n
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    node.kubernetes.io/instance-type: kwok-simulated
    type: kwok
status:
  allocatable: {cpu: \"4\", memory: 8Gi, pods: \"110\", ephemeral-storage: 100Gi}
  capacity: {cpu: \"4\", memory: 8Gi, pods: \"110\", ephemeral-storage: 100Gi}
"
done
echo "$nodes" | "$kubectl" apply -f - >"$dir/objects.log"
{
  storage_class_yaml sim-local Immediate
  for i in $(seq 1 8); do
    pv_yaml "sim-pv-$i" sim-local "todo-cluster-sim: pv" "hostPath: {path: /tmp/todo-cluster-sim/pv-$i, type: DirectoryOrCreate}"
  done
} | "$kubectl" apply -f - >>"$dir/objects.log"
wait_for "2 Ready nodes" "$kubectl" wait --for=condition=Ready node/sim-node-1 node/sim-node-2 --timeout 5s
finish "2 simulated nodes"
