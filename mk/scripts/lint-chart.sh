#!/usr/bin/env bash
# Renders the chart with each values file (helm template, no cluster) into OUT/ and runs
# kubelint on each rendering, so findings name build/lint/<values>.yaml and its lines.
# A missing chart or helm is a failure (`make lint` builds the pinned helm first).
set -uo pipefail
kubelint=$1 chart=$2 release=$3 namespace=$4 out=$5 values=$6
shift 6
helm=${HELM:?HELM must name the pinned helm (make deps-helm)}
[[ -f $chart/Chart.yaml ]] || { echo "lint-chart: $chart/Chart.yaml does not exist" >&2; exit 2; }
[[ -x $helm ]] || command -v "$helm" >/dev/null 2>&1 ||
  { echo "lint-chart: helm ($helm) is not installed; \`make deps-helm\` builds it" >&2; exit 2; }
[[ -n $values ]] || { echo "lint-chart: no values files given" >&2; exit 2; }
mkdir -p "$out"
failed=0 n=0
for v in $values; do
  name=$(basename "$v" .yaml)
  rendered=$out/chart-$name.yaml
  # HELM_ARGS: what a user adds for that environment (prod: where its external database is)
  # shellcheck disable=SC2086
  if ! "$helm" template "$release" "$chart" --namespace "$namespace" -f "$v" ${HELM_ARGS:-} >"$rendered" 2>"$rendered.err"; then
    echo "FAIL lint-chart: helm template with $v:"; sed 's/^/  /' "$rendered.err"
    failed=$((failed + 1)); continue
  fi
  echo "lint-chart: $v -> $rendered"
  "$kubelint" "$@" "$rendered" || failed=$((failed + 1))
  n=$((n + 1))
done
echo "lint-chart: $n renderings linted, $failed failed"
((failed == 0))
