#!/usr/bin/env bash
# Exits 0 when every IMAGE is in the Docker engine; otherwise says which one to build, and exits 2.
#   images-present.sh WHO IMAGE...     (WHO prefixes the message, e.g. "make sbom")
# Env: DOCKER (docker), and the engine's own variables (DOCKER_HOST, ...).
set -euo pipefail
who=${1:?usage: images-present.sh WHO IMAGE...}
shift
for image in "$@"; do
  "${DOCKER:-docker}" image inspect "$image" >/dev/null 2>&1 ||
    { echo "$who: the image $image is not in the Docker engine: run make build first (same TAG)" >&2; exit 2; }
done
