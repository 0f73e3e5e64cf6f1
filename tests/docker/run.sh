#!/usr/bin/env bash
# The docker-test suite: starts the private engine (recording the host's network devices first),
# makes the base images available, runs the tests in order, and always stops the engine.
#   run.sh ENGINE_DIR DATA_ROOT BASES_ARGS... -- PYTEST_ARGS...
# Env: DOCKER_HOST, DOCKER_CONFIG (the engine's, from mk/docker-engine.mk), PYTEST.
set -uo pipefail
dir=${1:?usage: run.sh ENGINE_DIR DATA_ROOT CACHE PLUGINS BUILDKIT_VERSION -- PYTEST_ARGS...}
data_root=$2 cache=$3 plugins=$4 buildkit=$5
shift 5; [[ ${1:-} == -- ]] && shift
here=$(dirname "$0")

mkdir -p "$dir"
# From a stopped engine, so that the last test can compare the host with how it was before.
"$here/engine.sh" down "$dir" >/dev/null 2>&1
ip -o link show | awk -F': ' '{sub(/@.*/, "", $2); print $2}' >"$dir/links.before"
trap '"$here/engine.sh" down "$dir" >/dev/null 2>&1' EXIT
"$here/engine.sh" up "$dir" "$data_root" >/dev/null || exit 1
"$here/bases.sh" "$cache" "$plugins" "$buildkit" || exit 1
"${PYTEST:?}" "$@"
