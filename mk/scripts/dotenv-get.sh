#!/usr/bin/env bash
# Prints the value FILE gives KEY, exactly as Docker Compose reads it, by asking the exact parser
# (`envcheck get`); prints nothing when FILE does not exist or does not set KEY. Any other
# failure (FILE has errors, envcheck missing) is reported and exits non-zero.
#   dotenv-get.sh FILE KEY     Env: ENVCHECK (the envcheck command, e.g. build/bin/envcheck)
set -uo pipefail
file=${1:?usage: dotenv-get.sh FILE KEY} key=${2:?usage: dotenv-get.sh FILE KEY}
[[ -e $file ]] || exit 0
read -ra envcheck <<<"${ENVCHECK:?ENVCHECK must name the envcheck command}"
err=$(mktemp)
trap 'rm -f "$err"' EXIT
"${envcheck[@]}" get "$file" "$key" 2>"$err"
rc=$?
if ((rc == 1)) && [[ $(cat "$err") == "envcheck: $key is not set in $file" ]]; then
  exit 0
fi
cat "$err" >&2
((rc == 0)) || echo "dotenv-get: ${envcheck[*]} get $file $key failed (exit $rc)" >&2
exit "$rc"
