#!/usr/bin/env bash
# bench: kubelint against its peers on (1) the chart rendered with every values file and
# (2) a generated corpus of BENCH_APPS x 4 objects with seeded defects. BENCH_PEERS picks
# the peers to run (default: all of kube-score kube-linter checkov). Installs the peers
# it can (pinned) under build/, measures wall time and peak RSS (/usr/bin/time) once per
# tool, prints the ratios and the rule agreement (bench/kubelint/compare.py).
set -uo pipefail
kubelint=$1 out=$2
apps=${BENCH_APPS:-2500}
peers=" ${BENCH_PEERS:-kube-score kube-linter checkov} "
tools=$PWD/build/bench-tools venv=$PWD/build/bench-venv
KUBE_SCORE_VERSION=${KUBE_SCORE_VERSION:-v1.20.0}
KUBE_LINTER_VERSION=${KUBE_LINTER_VERSION:-v0.7.2}
CHECKOV_VERSION=${CHECKOV_VERSION:-3.3.30}
helm=${HELM:-helm}
mkdir -p "$out" "$tools"
results=$out/results.tsv
: >"$results"
notes=()

# ---- peers ----
if [[ ! -x $tools/kube-score ]]; then
  GOBIN=$tools go install "github.com/zegl/kube-score/cmd/kube-score@$KUBE_SCORE_VERSION" >"$out/kube-score-install.log" 2>&1 ||
    notes+=("kube-score: not built (go install failed, see $out/kube-score-install.log)")
fi
if [[ ! -x $tools/kube-linter ]]; then
  if ! GOBIN=$tools go install "golang.stackrox.io/kube-linter/cmd/kube-linter@$KUBE_LINTER_VERSION" >"$out/kube-linter-install.log" 2>&1; then
    notes+=("kube-linter: not built: $(grep -o '[0-9]\{3\} Forbidden\|not available[^"]*' "$out/kube-linter-install.log" | head -n 1) from the Go module proxy for golang.stackrox.io/kube-linter@$KUBE_LINTER_VERSION (see $out/kube-linter-install.log)")
  fi
fi
notes+=("polaris: not run: it is published only as a Go module (github.com/fairwindsops/polaris, major version 8+ without a /vN module path, so \`go install\` needs a commit pseudo-version, which the module proxy refuses with 403) and as prebuilt binaries/images; it is not on PyPI or npm")
if [[ ! -x $venv/bin/checkov ]]; then
  { python3 -m venv "$venv" && "$venv/bin/pip" install -q "checkov==$CHECKOV_VERSION"; } >"$out/checkov-install.log" 2>&1 ||
    notes+=("checkov: not installed (see $out/checkov-install.log)")
fi

# ---- inputs ----
python3 bench/kubelint/gen_corpus.py "$out/corpus" "$apps"
chart=helm/todo-app renders=()
if [[ -f $chart/Chart.yaml ]] && command -v "$helm" >/dev/null 2>&1; then
  for v in "$chart"/values.yaml "$chart"/values-*.yaml; do
    r=$out/chart-$(basename "$v" .yaml).yaml
    "$helm" template todo "$chart" --namespace todo -f "$v" >"$r" && renders+=("$r")
  done
else
  notes+=("chart: not rendered (no $chart or no helm); only the generated corpus is measured")
fi

# measure TARGET TOOL OUTFILE CMD...: one run, wall seconds and peak RSS (KiB) to results.tsv
measure() {
  local target=$1 tool=$2 outfile=$3
  shift 3
  [[ $tool == kubelint || $peers == *" $tool "* ]] || return 0
  /usr/bin/time -f '%e %M %U %S' -o "$out/time.tmp" "$@" >"$outfile" 2>"$outfile.err"
  read -r secs rss user sys < <(tail -n 1 "$out/time.tmp")
  printf '%s\t%s\t%s\t%s\t%s\n' "$target" "$tool" "$secs" "$rss" "$(awk "BEGIN { print $user + $sys }")" >>"$results"
}

corpus=$out/corpus/corpus.yaml
measure corpus kubelint "$out/kubelint.json" "$kubelint" --format json "$corpus"
[[ -x $tools/kube-score ]] && measure corpus kube-score "$out/kube-score.json" "$tools/kube-score" score -o json "$corpus"
[[ -x $tools/kube-linter ]] && measure corpus kube-linter "$out/kube-linter.json" "$tools/kube-linter" lint --format json "$corpus"
[[ -x $venv/bin/checkov ]] && measure corpus checkov "$out/checkov.json" "$venv/bin/checkov" --skip-download \
  --framework kubernetes -o json --quiet --compact -f "$corpus"
if ((${#renders[@]})); then
  measure chart kubelint "$out/chart-kubelint.txt" "$kubelint" "${renders[@]}"
  [[ -x $tools/kube-score ]] && measure chart kube-score "$out/chart-kube-score.txt" "$tools/kube-score" score "${renders[@]}"
  [[ -x $tools/kube-linter ]] && measure chart kube-linter "$out/chart-kube-linter.txt" "$tools/kube-linter" lint "${renders[@]}"
  if [[ -x $venv/bin/checkov ]]; then
    ck_args=()
    for r in "${renders[@]}"; do ck_args+=(-f "$r"); done
    measure chart checkov "$out/chart-checkov.txt" "$venv/bin/checkov" --skip-download --framework kubernetes --quiet --compact "${ck_args[@]}"
  fi
fi

# ---- report ----
echo
echo "kubelint benchmark: corpus = $((apps * 4)) objects (seeded defects), chart = ${#renders[@]} renderings"
awk -F'\t' '
  { t[$1 SUBSEP $2] = $3; m[$1 SUBSEP $2] = $4; c[$1 SUBSEP $2] = $5; order[++n] = $1 SUBSEP $2 }
  function ratio(a, b) { return a == b ? 1 : a / (b > 0 ? b : 0.01) }
  END {
    printf "%-7s %-12s %8s %8s %12s %9s %9s %9s\n", "input", "tool", "wall s", "cpu s", "peak RSS MB", "wall x", "cpu x", "memory x"
    for (i = 1; i <= n; i++) {
      split(order[i], k, SUBSEP)
      base = k[1] SUBSEP "kubelint"
      printf "%-7s %-12s %8.2f %8.2f %12.1f %8.1fx %8.1fx %8.1fx\n", k[1], k[2], t[order[i]], c[order[i]],
        m[order[i]] / 1024, ratio(t[order[i]], t[base]), ratio(c[order[i]], c[base]), m[order[i]] / m[base]
    }
  }' "$results"
echo "(x: the tool's wall time, CPU time (user+sys) or peak RSS divided by kubelint's on the same"
echo " input, one run each; a time under the 10 ms resolution of /usr/bin/time counts as 0.01 s;"
echo " on a shared machine wall time varies with the load, CPU time much less)"
for n in "${notes[@]}"; do echo "note: $n"; done
echo
args=("$out/corpus/seeded.tsv" "$out/kubelint.json")
[[ -s $out/kube-score.json ]] && args+=(--kube-score "$out/kube-score.json")
[[ -s $out/checkov.json ]] && args+=(--checkov "$out/checkov.json")
python3 bench/kubelint/compare.py "${args[@]}"
