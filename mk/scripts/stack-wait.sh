#!/usr/bin/env bash
# The end of `make up`: waits until every URL answers (probe wait, live progress line), then
# prints where to go and how long it took. Not ready by the deadline: shows the state of the
# services and the last log lines of each one that is not running/healthy, exits 1.
# --failed: `compose up` itself failed (a one-shot service such as migrate exited non-zero):
# the same diagnosis at once, without waiting.
#
#   stack-wait.sh [--failed] --deadline 180s --started EPOCH --open URL --api URL WAIT_URL...
# Env: PROBE (probe command), COMPOSE (the compose command with its -p/-f options).
set -uo pipefail
deadline=180s started=0 open_url="" api_url="" failed=0
while (($#)); do
  case $1 in
    --failed) failed=1; shift ;;
    --deadline) deadline=$2; shift 2 ;;
    --started) started=$2; shift 2 ;;
    --open) open_url=$2; shift 2 ;;
    --api) api_url=$2; shift 2 ;;
    *) break ;;
  esac
done
(($#)) || { echo "usage: $0 [--deadline D] [--started EPOCH] [--open URL] [--api URL] WAIT_URL..." >&2; exit 2; }
read -r -a probe <<<"${PROBE:-build/bin/probe}"
read -r -a compose <<<"${COMPOSE:-docker compose}"
# COMPOSE may start with VAR=value assignments (TAG=...): run it through env
[[ ${compose[0]} == *=* ]] && compose=(env "${compose[@]}")

if ((failed)); then
  echo >&2
  echo "docker compose up failed. Service states:" >&2
else
  echo "waiting for the stack (up to $deadline): $*"
  if "${probe[@]}" wait "$@" --deadline "$deadline"; then
    now=$(date +%s)
    ((started > 0)) && took=" in $((now - started)) s" || took=""
    echo
    echo "The Todo Chatbot is up$took."
    [[ -n $open_url ]] && echo "  open      $open_url"
    [[ -n $api_url ]] && echo "  API       $api_url   (docs: $api_url/docs, health: $api_url/ready)"
    echo "  logs      make logs [SERVICE=backend]    stop: make down    check it: make smoke"
    exit 0
  fi
  echo >&2
  echo "The stack did not become ready within $deadline. Service states:" >&2
fi
"${compose[@]}" ps --all >&2 || true
bad=$("${compose[@]}" ps --all --format '{{.Service}} {{.State}} {{.ExitCode}} {{.Health}}' 2>/dev/null |
  awk '($2 != "running" && !($2 == "exited" && $3 == "0")) || ($4 != "" && $4 != "healthy") {print $1}' | sort -u)
[[ -z $bad ]] && bad=$("${compose[@]}" config --services 2>/dev/null)
auth_failed=0
for service in $bad; do
  echo >&2
  echo "--- last log lines of $service ---" >&2
  lines=$("${compose[@]}" logs --no-color --tail 30 "$service" 2>&1)
  printf '%s\n' "$lines" >&2
  [[ $lines == *"password authentication failed"* ]] && auth_failed=1
done
echo >&2
if ((auth_failed)); then
  echo "PostgreSQL refuses the password in .env: its volume was initialised with another" \
    "POSTGRES_PASSWORD (was .env deleted or regenerated?). Put the old .env back, or delete the" \
    "database with make clean (all its data) and run make up again." >&2
fi
echo "make up failed: see the log lines above (all of them: make logs; the state: make ps)." >&2
exit 1
