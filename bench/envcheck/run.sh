#!/usr/bin/env bash
# Times envcheck against dotenv-linter on the same generated 100,000-line .env with
# hyperfine (falls back to a plain timing loop without it), then prints both means and
# the ratio. Usage: run.sh ENVCHECK DOTENV_LINTER [LINES]
set -euo pipefail
envcheck=$(realpath "$1") linter=$(realpath "$2") lines=${3:-100000}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$here/gen.sh" "$lines" >"$work/bench.env"
echo "input: $(wc -l <"$work/bench.env") lines, $(wc -c <"$work/bench.env") bytes"
echo "envcheck:      $("$envcheck" --version)"
echo "dotenv-linter: $("$linter" --version)"
# both report findings (exit 1): that is expected, the output goes to /dev/null
ec="$envcheck $work/bench.env"
dl="$linter --plain --quiet check $work/bench.env"
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 2 --runs 10 -i --export-json "$work/h.json" -n envcheck "$ec" -n dotenv-linter "$dl"
  mapfile -t means < <(python3 -c 'import json,sys; [print(r["mean"]) for r in json.load(open(sys.argv[1]))["results"]]' "$work/h.json")
else
  means=()
  for cmd in "$ec" "$dl"; do
    start=$(date +%s.%N)
    for _ in 1 2 3 4 5; do $cmd >/dev/null 2>&1 || true; done
    means+=("$(echo "($(date +%s.%N) - $start) / 5" | bc -l)")
  done
fi
awk -v a="${means[0]}" -v b="${means[1]}" 'BEGIN {
  printf "envcheck %.1f ms, dotenv-linter %.1f ms: envcheck takes %.2fx the time of dotenv-linter (%.2fx faster)\n",
    a * 1000, b * 1000, a / b, b / a }'
