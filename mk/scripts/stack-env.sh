#!/usr/bin/env bash
# Makes sure the stack's .env exists and is valid, before anything starts.
#   stack-env.sh [ENV_FILE]   (default .env)
# Missing: created from .env.example with every secret generated (secretgen fill, mode 0600).
# Then validated against env.schema.yaml (envcheck); invalid: prints the findings, exits 1.
# Env: ENVCHECK, SECRETGEN (commands; default build/bin/envcheck, build/bin/secretgen),
#      ENV_SCHEMA (env.schema.yaml), ENV_EXAMPLE (.env.example).
set -euo pipefail
env_file=${1:-.env}
schema=${ENV_SCHEMA:-env.schema.yaml}
example=${ENV_EXAMPLE:-.env.example}
read -r -a envcheck <<<"${ENVCHECK:-build/bin/envcheck}"
read -r -a secretgen <<<"${SECRETGEN:-build/bin/secretgen}"

if [[ ! -e $env_file ]]; then
  echo "$env_file: not found; creating it from $example with generated secrets"
  "${secretgen[@]}" fill --schema "$schema" --template "$example" "$env_file"
fi
if ! out=$("${envcheck[@]}" --schema "$schema" "$env_file" 2>&1); then
  printf '%s\n' "$out" >&2
  echo "$env_file is not valid (findings above): fix it, or delete it and run make up again to get a fresh one." >&2
  exit 1
fi
[[ -n $out ]] && printf '%s\n' "$out"
echo "$env_file: valid"
