#!/usr/bin/env bash
# The frontend suite: typecheck, vitest unit tests, next build (type errors fail it), hadolint.
# Ends with one line "frontend-test: N passed, N failed" (unit tests + the three checks).
set -uo pipefail
dir=${FRONTEND_DIR:-docker/frontend}
out=$(realpath -m "${FRONTEND_BUILD:-build/frontend}")
mkdir -p "$out"
passed=0 failed=0 failures=()

check() { # check NAME CMD...: run one step, count it
  local name=$1; shift
  echo "== frontend-test: $name"
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("$name"); fi
}

check typecheck bash -c "cd '$dir' && npx --no-install tsc --noEmit -p tsconfig.json && echo 'typecheck: ok'"

echo "== frontend-test: unit tests (vitest)"
rm -f "$out/vitest.json"
(cd "$dir" && npx --no-install vitest run --reporter=default --reporter=json --outputFile.json="$out/vitest.json")
vitest_rc=$?
if [[ -f $out/vitest.json ]]; then
  read -r up uf < <(node -e 'const r=require(process.argv[1]);console.log(r.numPassedTests,r.numFailedTests)' "$out/vitest.json")
  passed=$((passed + up)); failed=$((failed + uf))
fi
if ((vitest_rc != 0)); then failures+=("unit tests"); [[ -f $out/vitest.json ]] || failed=$((failed + 1)); fi

check "next build" env FORCE=1 "$(dirname "$0")/frontend-build.sh"
check hadolint bash -c "'${HADOLINT:?HADOLINT must name the pinned hadolint (make deps-pytools)}' '$dir/Dockerfile' && echo 'hadolint: $dir/Dockerfile clean'"

((${#failures[@]})) && echo "frontend-test: FAILED: ${failures[*]}"
echo "frontend-test: $passed passed, $failed failed"
((failed == 0 && ${#failures[@]} == 0))
