#!/usr/bin/env bash
# Runs the Check test programs given; TOOLS_BIN tells tests where the tools of this
# variant are. Prints each program's Check summary line and fails if any program failed.
set -uo pipefail
variant=$1 bindir=$2
shift 2
export TOOLS_BIN=$PWD/$bindir TOOLS_FIXTURES=$PWD/tools/tests/fixtures CK_DEFAULT_TIMEOUT=${CK_DEFAULT_TIMEOUT:-60}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
failed=0 checks=0 failures=0
for t in "$@"; do
  out=$("$t" 2>&1); rc=$?
  summary=$(grep -E '^[0-9]+%: Checks: ' <<<"$out" | tail -n 1)
  if ((rc != 0)) || [[ -z $summary ]]; then
    printf '%s\n' "$out"
    echo "FAIL [$variant] $(basename "$t") (exit $rc)"
    failed=$((failed + 1))
  else
    echo "[$variant] $(basename "$t"): $summary"
  fi
  n=$(sed -nE 's/.*Checks: ([0-9]+), Failures: ([0-9]+), Errors: ([0-9]+).*/\1 \2 \3/p' <<<"$summary")
  if [[ -n $n ]]; then read -r c f e <<<"$n"; checks=$((checks + c)); failures=$((failures + f + e)); fi
done
echo "[$variant] $# programs, $checks checks: $((checks - failures)) passed, $failures failed"
((failed == 0 && failures == 0))
