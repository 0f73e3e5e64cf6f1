#!/usr/bin/env bash
# The real-node phase of cluster-test: the Docker test engine builds the product's images
# (`make docker-bases`, `make build`), a real node starts (node.sh up), `make images-load
# CLUSTER=containerd` copies the images into its containerd, the engine stops, and the Go tests
# tagged realnode run the product's targets against real containers. The node and the engine are
# always stopped (trap); the last test stops the node itself and compares the host with before.
# Prints the time of each step and "cluster-test (real node): N passed, N failed".
# Usage: node-test.sh DIR
# Env: what node.sh and cluster-sim-up.sh need, DOCKER_HOST/DOCKER_CONFIG (the test engine's),
#      HELM, GO (go), CLUSTER_TEST_RUN (go test -run filter), MAKE (make).
set -uo pipefail
dir=${1:?usage: node-test.sh DIR}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
go=${GO:-go}
read -r -a make <<<"${MAKE:-make}"
make+=(--no-print-directory -C "$repo")
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
# The suite's own files sit beside DIR (node.sh up empties DIR; the teardown test checks it).
timings=$dir.timings
log=$dir-go-test.log
: >"$timings"

step() { # step NAME CMD...: run, time, stop the phase on failure
  local name=$1 t0=$SECONDS; shift
  echo "=== cluster-test (real node): $name"
  if ! "$@"; then echo "cluster-test (real node): $name failed" >&2; return 1; fi
  echo "$name $((SECONDS - t0))s" | tee -a "$timings"
}
# shellcheck disable=SC2317 # the EXIT trap
cleanup() {
  "$here/node.sh" down "$dir" || echo "cluster-test (real node): the node's teardown left something (above)" >&2
  "${make[@]}" docker-engine-down >/dev/null 2>&1 || true
}
trap cleanup EXIT

t_all=$SECONDS
step "docker engine and base images" "${make[@]}" docker-bases || exit 1
step "make build (the product's images)" "${make[@]}" build DOCKER_BUILD_FLAGS=--network=host || exit 1
step "node up" "$here/node.sh" up "$dir" || exit 1
step "make images-load CLUSTER=containerd" "${make[@]}" images-load CLUSTER=containerd \
  CONTAINERD_ADDRESS="$dir/containerd.sock" || exit 1
step "docker engine down" "${make[@]}" docker-engine-down || exit 1

export KUBECONFIG=$dir/control-plane/kubeconfig
# Our kubectl and helm first: the chaos runner calls them by name.
helm_dir=$(dirname "${HELM:?}")
export PATH=$KUBE_BIN:$helm_dir:$PATH
export CLUSTER_SIM_DIR=$dir NODE_DIR=$dir REPO_ROOT=$repo HELM=${HELM:?} KUBECTL=$KUBE_BIN/kubectl
run=()
[[ -n ${CLUSTER_TEST_RUN:-} ]] && run=(-run "$CLUSTER_TEST_RUN")
t0=$SECONDS
(cd "$repo/tests/cluster" && "$go" test -tags realnode -count=1 -v -timeout 30m "${run[@]}" ./...) 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
echo "go test (real node) $((SECONDS - t0))s" | tee -a "$timings"
echo "node phase in all $((SECONDS - t_all))s" | tee -a "$timings"
passed=$(grep -c '^--- PASS' "$log")
failed=$(grep -c '^--- FAIL' "$log")
skipped=$(grep -c '^--- SKIP' "$log")
echo "chaos report: $dir-chaos/latest; figures: $dir-*.txt; timings: $timings; go test log: $log; node logs: $dir/*.log"
echo "cluster-test (real node): $passed passed, $failed failed, $skipped skipped"
exit "$rc"
