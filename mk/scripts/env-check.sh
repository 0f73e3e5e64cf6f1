#!/usr/bin/env bash
# Validates an env file against the schema with envcheck, or says how to create it.
#   env-check.sh ENVCHECK SCHEMA ENV_FILE [envcheck flags...]
set -uo pipefail
envcheck=$1 schema=$2 env_file=$3
shift 3
if [[ ! -e $env_file ]]; then
  echo "$env_file does not exist. Create it with generated secrets:" >&2
  echo "  make secrets        (copies .env.example, fills every secret; mode 0600)" >&2
  exit 2
fi
"$envcheck" --schema "$schema" "$@" "$env_file"
rc=$?
if ((rc == 1)); then
  echo "Fix the findings above (\`make secrets\` fills empty or placeholder secrets)." >&2
fi
exit "$rc"
