#!/usr/bin/env bash
# Diff between the installed release (`helm get manifest`) and what an upgrade with these values
# would install (`helm upgrade --dry-run=server`: same lookups and capabilities as a real one).
# Exit 0 with or without differences; non-zero when the release or the cluster is unreachable.
# Usage: helm-diff.sh RELEASE NAMESPACE CHART VALUES_FILE [helm --set args...]    Env: HELM
set -euo pipefail
release=${1:?usage: helm-diff.sh RELEASE NAMESPACE CHART VALUES_FILE [--set ...]}
ns=${2:?} chart=${3:?} values=${4:?}
shift 4
helm=${HELM:-helm}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$helm" get manifest "$release" --namespace "$ns" >"$dir/installed.yaml"
"$helm" upgrade "$release" "$chart" --namespace "$ns" -f "$values" "$@" --dry-run=server -o json |
  python3 -c 'import json,sys; sys.stdout.write(json.load(sys.stdin)["manifest"])' >"$dir/rendered.yaml"
if diff -u --label "installed ($release)" --label "upgrade ($values)" "$dir/installed.yaml" "$dir/rendered.yaml"; then
  echo "no difference: the release already matches $values"
fi
