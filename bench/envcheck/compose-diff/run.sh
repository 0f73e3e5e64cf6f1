#!/usr/bin/env bash
# Differential check of tools/lib/dotenv against compose-go's dotenv parser (pinned in
# go.mod): builds both dump programs, generates random .env files, adds the suites'
# fixtures and any extra files given, and reports how many files parse differently.
# Needs Go (the module proxy for compose-go), a C compiler and python3. Not part of make test.
# Usage: bench/envcheck/compose-diff/run.sh [N] [EXTRA_FILES...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
n=${1:-20000}
shift || true
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$here/compose_dump" && go build -o "$work/compose_dump" .)
cc -std=c11 -D_GNU_SOURCE -O2 -I"$root/tools/lib" "$here/envcheck_dump.c" "$root"/tools/lib/{dotenv,diag,utf8,jsonw}.c \
  -o "$work/envcheck_dump"
python3 "$here/generate.py" "$work/gen" "$n"
mapfile -t fixtures < <(find "$root/tools/tests/fixtures/env" "$root/tools/tests/fixtures/hostile/env" \
  "$root/tools/fuzz/corpus/fuzz_dotenv" -type f)
python3 "$here/compare.py" "$work/compose_dump" "$work/envcheck_dump" "$work"/gen/*.env "${fixtures[@]}" "$@"
