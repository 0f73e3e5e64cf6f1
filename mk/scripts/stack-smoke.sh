#!/usr/bin/env bash
# `make smoke`: uses a running stack the way a person does, with probe checks:
# the pages, health, sign-up, sign-in, a task, the chat "add buy milk", the list showing it.
# Calls that a browser makes go through the frontend (its same-origin /api proxy, with the
# session cookie); sign-up/sign-in go to the backend API directly to get the token.
#
#   stack-smoke.sh FRONTEND_URL BACKEND_URL      Env: PROBE (probe command)
set -euo pipefail
(($# == 2)) || { echo "usage: $0 FRONTEND_URL BACKEND_URL" >&2; exit 2; }
frontend=${1%/}
backend=${2%/}
read -r -a probe <<<"${PROBE:-build/bin/probe}"
json='Content-Type: application/json'
steps=0

# step DESCRIPTION PROBE-CHECK-ARGS...: one check; its captures (NAME=value) become variables.
step() {
  local what=$1 out line
  shift
  if ! out=$("${probe[@]}" check "$@" --timeout 10s); then
    echo "smoke: FAILED: $what" >&2
    [[ -n $out ]] && printf '%s\n' "$out" >&2
    exit 1
  fi
  while IFS= read -r line; do
    [[ $line =~ ^([A-Z_]+)=(.*)$ ]] && printf -v "${BASH_REMATCH[1]}" '%s' "${BASH_REMATCH[2]}"
  done <<<"$out"
  steps=$((steps + 1))
  echo "smoke: ok   $what"
}

email="smoke-$(date +%s)-$RANDOM@example.com"
password="smoke-$RANDOM$RANDOM-pass"

step "frontend home $frontend/ (redirects a signed-out visitor)" "$frontend/" --expect 3xx
step "sign-in page $frontend/signin" "$frontend/signin" --expect 200 --contains '<html'
step "frontend health $frontend/api/healthz" "$frontend/api/healthz" --expect 200
step "backend liveness $backend/health" "$backend/health" --expect 200
step "backend readiness $backend/ready (database reachable)" "$backend/ready" --expect 200
step "register $email" "$backend/api/auth/register" --method POST --header "$json" \
  --data "{\"email\":\"$email\",\"password\":\"$password\",\"name\":\"Smoke Test\"}" \
  --expect 201 --capture USER_ID=.user.id
step "login" "$backend/api/auth/login" --method POST --header "$json" \
  --data "{\"email\":\"$email\",\"password\":\"$password\"}" \
  --expect 200 --capture TOKEN=.access_token
[[ -n ${USER_ID:-} && -n ${TOKEN:-} ]] || { echo "smoke: FAILED: no user id or token captured" >&2; exit 1; }
cookie="Cookie: todo_token=$TOKEN"
step "create a task (through the frontend)" "$frontend/api/$USER_ID/tasks" --method POST \
  --header "$json" --header "$cookie" --data '{"title":"smoke: water the plants"}' \
  --expect 201 --capture TASK_ID=.id
step "chat \"add buy milk\" (through the frontend)" "$frontend/api/$USER_ID/chat" --method POST \
  --header "$json" --header "$cookie" --data '{"message":"add buy milk"}' \
  --expect 200 --contains add_task --capture CONVERSATION_ID=.conversation_id \
  --capture MILK_TITLE=.tool_calls[0].args.title
shopt -s nocasematch
[[ ${MILK_TITLE:-} == "buy milk" ]] ||
  { echo "smoke: FAILED: the chat created \"${MILK_TITLE:-}\", not \"buy milk\"" >&2; exit 1; }
shopt -u nocasematch
step "the task list shows \"$MILK_TITLE\"" "$frontend/api/$USER_ID/tasks" --header "$cookie" \
  --expect 200 --contains "\"$MILK_TITLE\""
echo "smoke: all $steps checks passed ($frontend, $backend)"
