#!/usr/bin/env bash
# The cluster-test suite: starts a cluster simulation in DIR (real etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler; kwok-simulated nodes and pods), runs the Go tests of
# tests/cluster against it, always stops it (trap), and prints "cluster-test: N passed, N failed".
# Usage: cluster-sim-test.sh DIR
# Env: what cluster-sim-up.sh needs, HELM, GO (go), CLUSTER_TEST_RUN (go test -run filter).
set -euo pipefail
dir=${1:?usage: cluster-sim-test.sh DIR}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
go=${GO:-go}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

trap '"$here/cluster-sim-down.sh" "$dir" || true' EXIT
t0=$SECONDS
"$here/cluster-sim-up.sh" "$dir"
echo "cluster-test: simulation started in $((SECONDS - t0))s"

export KUBECONFIG=$dir/kubeconfig
export PATH=$KUBE_BIN:$PATH
export CLUSTER_SIM_DIR=$dir REPO_ROOT=$repo HELM=${HELM:?} KUBECTL=$KUBE_BIN/kubectl
log=$dir/go-test.log
run=()
[[ -n ${CLUSTER_TEST_RUN:-} ]] && run=(-run "$CLUSTER_TEST_RUN")
set +e
(cd "$repo/tests/cluster" && "$go" test -count=1 -v -timeout 20m "${run[@]}" ./...) 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
passed=$(grep -c '^--- PASS' "$log" || true)
failed=$(grep -c '^--- FAIL' "$log" || true)
skipped=$(grep -c '^--- SKIP' "$log" || true)
echo "recovery figures: $dir/recovery.txt; logs of the control plane: $dir/*.log"
echo "cluster-test: $passed passed, $failed failed, $skipped skipped"
exit "$rc"
