#!/usr/bin/env bash
# Builds the pinned upstream components of the cluster simulation from the Go module proxy into
# CACHE/<component>-<version>/ (once: a stamp keyed on the go.mod/go.sum content and the flags
# makes every later run instant):
#   etcd-<v>/etcd                         tests/cluster/components/etcd (etcdmain of go.etcd.io/etcd/server/v3)
#   kube-<v>/{kube-apiserver,kube-controller-manager,kube-scheduler,kubectl,kubelet,kube-proxy}
#                                         tests/cluster/components/kube (k8s.io/kubernetes, staging -> k8s.io/*)
#   coredns-<v>/coredns                   tests/cluster/components/coredns (github.com/coredns/coredns,
#                                         a few plugins, no forward: the real node's cluster DNS)
#   kwok-<v>/kwok + kwok-<v>/stages/*.yaml sigs.k8s.io/kwok/cmd/kwok@<v> and its upstream Stage files
# Usage: cluster-sim-build.sh CACHE COMPONENTS_DIR KWOK_VERSION      Env: GO (go), NICE (nice -n 19)
set -euo pipefail
cache=${1:?usage: cluster-sim-build.sh CACHE COMPONENTS_DIR KWOK_VERSION}
src=$(cd "${2:?}" && pwd)
kwok_version=${3:?}
go=${GO:-go}
read -r -a nice <<<"${NICE:-nice -n 19}"
export CGO_ENABLED=0

modver() { awk -v m="$1" '$1==m {print $2; exit} $2==m {print $3; exit}' "$2"; }
stamp_of() { cat "$@" | sha256sum | cut -c1-16; }
# up_to_date DIR STAMP FILE...: the stamp matches and every FILE exists
up_to_date() {
  local dir=$1 stamp=$2; shift 2
  [[ -f $dir/.stamp && $(cat "$dir/.stamp") == "$stamp" ]] || return 1
  local f; for f in "$@"; do [[ -x $dir/$f ]] || return 1; done
}

# main_component NAME MODULE: tests/cluster/components/NAME (a main.go over MODULE, pinned in its
# go.mod) built into CACHE/NAME-<version of MODULE>/NAME.
main_component() {
  local name=$1 v dir stamp t0
  v=$(modver "$2" "$src/$name/go.mod")
  dir=$cache/$name-$v
  stamp=$(stamp_of "$src/$name/go.mod" "$src/$name/go.sum" "$src/$name/main.go")
  if up_to_date "$dir" "$stamp" "$name"; then
    echo "cluster-sim-build: $name $v cached in $dir"
    return
  fi
  echo "cluster-sim-build: building $name $v into $dir (first run only)"
  mkdir -p "$dir"; t0=$SECONDS
  (cd "$src/$name" && "${nice[@]}" "$go" build -trimpath -ldflags '-s -w' -o "$dir/$name" .)
  echo "$stamp" >"$dir/.stamp"
  echo "cluster-sim-build: $name built in $((SECONDS - t0))s"
}

main_component etcd go.etcd.io/etcd/server/v3

# --- kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, kubelet, kube-proxy ---
kube_v=$(modver k8s.io/kubernetes "$src/kube/go.mod")
minor=$(echo "$kube_v" | cut -d. -f2)
kube_dir=$cache/kube-$kube_v
ldflags="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $p.gitVersion=$kube_v -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  ldflags+=" -X $p.buildDate=1970-01-01T00:00:00Z"
done
kube_stamp=$( (cat "$src/kube/go.mod" "$src/kube/go.sum"; echo "$ldflags") | sha256sum | cut -c1-16)
kube_bins=(kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet kube-proxy)
if up_to_date "$kube_dir" "$kube_stamp" "${kube_bins[@]}"; then
  echo "cluster-sim-build: kubernetes $kube_v cached in $kube_dir"
else
  echo "cluster-sim-build: building kubernetes $kube_v (${kube_bins[*]}) into $kube_dir (first run only, the long part)"
  mkdir -p "$kube_dir"; t0=$SECONDS
  (cd "$src/kube" && "${nice[@]}" "$go" build -trimpath -ldflags "$ldflags" -o "$kube_dir/" \
    "${kube_bins[@]/#/k8s.io/kubernetes/cmd/}")
  echo "$kube_stamp" >"$kube_dir/.stamp"
  echo "cluster-sim-build: kubernetes built in $((SECONDS - t0))s"
fi

# CoreDNS with the plugins its main.go imports (no forward plugin)
main_component coredns github.com/coredns/coredns

# --- kwok (its own go.mod/go.sum pin its dependencies) ---
kwok_dir=$cache/kwok-$kwok_version
kwok_stamp=$(echo "sigs.k8s.io/kwok/cmd/kwok@$kwok_version" | sha256sum | cut -c1-16)
if up_to_date "$kwok_dir" "$kwok_stamp" kwok && [[ -f $kwok_dir/stages/pod-ready.yaml ]]; then
  echo "cluster-sim-build: kwok $kwok_version cached in $kwok_dir"
else
  echo "cluster-sim-build: building kwok $kwok_version into $kwok_dir (first run only)"
  mkdir -p "$kwok_dir/stages"; t0=$SECONDS
  GOBIN=$kwok_dir "${nice[@]}" "$go" install -trimpath -ldflags '-s -w' "sigs.k8s.io/kwok/cmd/kwok@$kwok_version"
  moddir=$("$go" mod download -json "sigs.k8s.io/kwok@$kwok_version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  st=$moddir/kustomize/stage
  for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
    pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    install -m 0644 "$st/$f" "$kwok_dir/stages/"
  done
  echo "$kwok_stamp" >"$kwok_dir/.stamp"
  echo "cluster-sim-build: kwok built in $((SECONDS - t0))s"
fi
