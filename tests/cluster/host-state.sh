#!/usr/bin/env bash
# Prints what the real node could leave behind on this host, one sorted line per item, so that
# the state before `node.sh up` and after `node.sh down` can be compared with diff:
#   process   the node's programs (containerd and its shims, kubelet, kube-proxy, CoreDNS, the
#             control plane) whose command line names DIR, and anything in the node's cgroups
#   mount     mount points under DIR or under kubelet's and containerd's default paths
#   link      network devices (except a Docker engine's br-* bridges and the veths on them)
#   route     routes to the pod subnet or the node address
#   iptables  KUBE-*, CNI-* and TODO-NODE-* chains, and rules naming them, the bridge or the subnet
#   cgroup    cgroup directories named after the node's cgroup root or kubepods
#   sysctl    the kernel settings kubelet, kube-proxy and the CNI bridge plugin change
#   path      global paths kubelet, containerd and CNI write to by default, when they exist
# Usage: host-state.sh DIR      (reads DIR/node.env, written by node.sh)
#        host-state.sh --sysctls (the kernel settings it reports, one per line)
set -euo pipefail
dir=${1:?usage: host-state.sh DIR | --sysctls}

# Kernel settings the node's components set (kubelet's kernel tunables, kube-proxy, CNI bridge).
SYSCTLS=(vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys
  kernel.keys.root_maxbytes net.ipv4.ip_forward net.ipv4.conf.all.route_localnet
  net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables net.netfilter.nf_conntrack_max
  net.netfilter.nf_conntrack_tcp_timeout_established net.netfilter.nf_conntrack_tcp_timeout_close_wait
  net.netfilter.nf_conntrack_tcp_be_liberal)
# Where kubelet, containerd and the CNI plugins write when not told otherwise.
PATHS=(/var/lib/kubelet /var/log/pods /var/log/containers /var/lib/cni /etc/cni /opt/cni /opt/containerd
  /run/containerd /var/lib/containerd /etc/kubernetes /var/run/kubernetes /run/netns /var/run/netns)

if [[ $dir == --sysctls ]]; then printf '%s\n' "${SYSCTLS[@]}"; exit 0; fi
# shellcheck source=/dev/null
. "$dir/node.env"
: "${BRIDGE:?} ${NODE_IFACE:?} ${POD_CIDR:?} ${NODE_IP:?} ${CGROUP_ROOT:?}"

{
  for p in /proc/[0-9]*; do
    cmd=$( { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null) || continue
    [[ -n $cmd ]] || continue
    prog=${cmd%% *}
    case ${prog##*/} in
      containerd | containerd-shim* | runc | kubelet | kube-proxy | coredns | etcd | kube-apiserver | \
        kube-controller-manager | kube-scheduler | kwok) [[ $cmd == *"$dir/"* ]] && mine=1 || mine=0 ;;
      *) mine=0 ;;
    esac
    if ((mine)) || grep -q "/$CGROUP_ROOT/" "$p/cgroup" 2>/dev/null; then
      echo "process ${p#/proc/} ${cmd:0:160}"
    fi
  done

  awk -v d="$dir" '
    function under(m, r) { return m == r || index(m, r "/") == 1 }
    under($5, d) || under($5, "/var/lib/kubelet") || under($5, "/run/containerd") ||
      under($5, "/run/netns") || under($5, "/var/run/netns") || index($0, d "/") { print "mount " $5 }' /proc/self/mountinfo

  ip -o link show | awk -F': ' '{
    name = $2; sub(/@.*/, "", name); master = ""
    if (match($0, / master [^ ]+/)) master = substr($0, RSTART + 8, RLENGTH - 8)
    if (name ~ /^br-/ || master ~ /^br-/) next
    print "link " name (master != "" ? " master " master : "") }'

  ip route show table all 2>/dev/null | grep -F -e "${POD_CIDR%/*}" -e "$NODE_IP" -e "$BRIDGE" | sed 's/^/route /' || true

  for ipt in iptables ip6tables; do
    command -v "$ipt-save" >/dev/null || continue
    "$ipt-save" 2>/dev/null | sed -E 's/\[[0-9]+:[0-9]+\]//' |
      grep -E -e '(KUBE-|CNI-|TODO-NODE-)' -e "$BRIDGE" -e "${POD_CIDR%/*}" | sed "s/^/iptables $ipt /" || true
  done

  for h in /sys/fs/cgroup/*/; do
    find "$h" -maxdepth 3 -type d \( -name "$CGROUP_ROOT" -o -name 'kubepods*' \) 2>/dev/null | sed 's/^/cgroup /'
  done

  for s in "${SYSCTLS[@]}"; do
    v=$(sysctl -n "$s" 2>/dev/null) && echo "sysctl $s = $v"
  done

  for p in "${PATHS[@]}"; do
    [[ -e $p ]] && echo "path $p"
  done
  if [[ -d /var/log/containers ]]; then
    find /var/log/containers -mindepth 1 -maxdepth 1 | sed 's/^/path /'
  fi
} | sort
