#!/usr/bin/env bash
# Checks kubelint against its fixtures: every bad/<rule>.yaml, linted with --include <rule>,
# must give exactly the findings its "# expect: LINE:COL rule" comments list; every
# good/*.yaml must give none with every rule on and --strict. Prints a summary line.
set -uo pipefail
kubelint=$1 dir=$2
failed=0 bad=0 good=0
for f in "$dir"/bad/*.yaml; do
  rule=$(basename "$f" .yaml)
  want=$(sed -n 's/^# expect: //p' "$f")
  got=$("$kubelint" --include "$rule" "$f" | sed -nE 's/^.*:([0-9]+):([0-9]+): [a-z]+: \[([a-z-]+)\].*/\1:\2 \3/p')
  if [[ -z $want || $got != "$want" ]]; then
    echo "FAIL $f"; diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") | sed 's/^/  /'
    failed=$((failed + 1))
  fi
  bad=$((bad + 1))
done
for f in "$dir"/good/*.yaml; do
  if ! out=$("$kubelint" --strict "$f"); then
    echo "FAIL $f (expected no finding)"; printf '%s\n' "$out" | sed 's/^/  /'
    failed=$((failed + 1))
  fi
  good=$((good + 1))
done
echo "lint-fixtures: $bad bad fixtures, $good good fixtures, $failed failed"
((failed == 0))
