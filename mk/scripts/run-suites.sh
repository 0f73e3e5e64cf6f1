#!/usr/bin/env bash
# Runs each test suite (a make target) in its own make, logs it under build/test-logs/,
# and prints one summary table. Exits non-zero if any suite failed.
set -uo pipefail
logs=build/test-logs
mkdir -p "$logs"
names=() results=() times=()
failed=0
for suite in "$@"; do
  printf '\n=== %s ===\n' "$suite"
  start=$(date +%s.%N)
  make --no-print-directory "$suite" 2>&1 | tee "$logs/$suite.log"
  rc=${PIPESTATUS[0]}
  end=$(date +%s.%N)
  names+=("$suite"); times+=("$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.1f", b-a}')")
  if ((rc == 0)); then results+=(PASS); else results+=("FAIL ($rc)"); failed=$((failed + 1)); fi
done
printf '\n%-24s %-10s %10s  %s\n' SUITE RESULT SECONDS LOG
for i in "${!names[@]}"; do
  printf '%-24s %-10s %10s  %s\n' "${names[$i]}" "${results[$i]}" "${times[$i]}" "$logs/${names[$i]}.log"
done
echo
echo "suites: $(( ${#names[@]} - failed )) passed, $failed failed"
((failed == 0))
