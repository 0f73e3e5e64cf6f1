#!/usr/bin/env bash
# Runs each libFuzzer harness for the given seconds over its committed seed corpus
# (tools/fuzz/corpus/NAME) plus a working corpus under build/; prints executions per harness.
set -uo pipefail
seconds=$1; shift
failed=0
for name in "$@"; do
  work=build/fuzz/corpus/$name seeds=tools/fuzz/corpus/$name
  mkdir -p "$work" "$seeds"
  log=build/fuzz/$name.log
  build/fuzz/"$name" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix=build/fuzz/"$name"- "$work" "$seeds" >"$log" 2>&1
  rc=$?
  runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -n 1)
  if ((rc != 0)); then
    tail -n 40 "$log"
    echo "FAIL fuzz $name (exit $rc) after ${runs:-?} executions; artifacts: build/fuzz/$name-*"
    failed=$((failed + 1))
  else
    echo "fuzz $name: ${runs:-?} executions in ${seconds}s, no finding"
  fi
done
((failed == 0))
