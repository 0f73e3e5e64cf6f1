#!/usr/bin/env bash
# make sbom: one SPDX JSON SBOM per image, made by syft from the Docker engine's copy of it.
#   sbom.sh SYFT DIR IMAGE...      writes DIR/<name>-<tag>.spdx.json for each IMAGE
# Env: DOCKER (docker), and the engine's own variables (DOCKER_HOST, ...), which syft reads too.
set -euo pipefail
(($# >= 3)) || { echo "usage: $0 SYFT DIR IMAGE..." >&2; exit 2; }
syft=$1 dir=$2
shift 2
"$(dirname "$0")/images-present.sh" "make sbom" "$@"
mkdir -p "$dir"
for image in "$@"; do
  out="$dir/$(tr '/:' '__' <<<"$image").spdx.json"
  # written to a temporary name first: a failed run never leaves a document that looks complete
  if ! "$syft" scan "docker:$image" --quiet --output "spdx-json=$out.part"; then
    rm -f "$out.part"
    echo "make sbom: syft could not catalogue $image (messages above)" >&2
    exit 1
  fi
  mv "$out.part" "$out"
  count=$("${PYTHON:-python3}" -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["packages"]))' "$out")
  echo "sbom: $out ($count packages)"
done
