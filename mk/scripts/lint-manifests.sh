#!/usr/bin/env bash
# kubelint over a folder of plain manifests (k8s/); a missing folder is a failure.
set -uo pipefail
kubelint=$1 dir=$2
shift 2
if [[ ! -d $dir ]]; then
  echo "lint-k8s: $dir/ does not exist (make k8s-manifests renders it from the chart)" >&2
  exit 2
fi
echo "lint-k8s: kubelint ${*:+$* }$dir"
"$kubelint" "$@" "$dir"
