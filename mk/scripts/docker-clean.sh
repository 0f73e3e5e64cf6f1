#!/usr/bin/env bash
# `make clean`: deletes this Compose project's containers, networks and volumes (the database!)
# and this project's images, naming each before deleting it. Asks nothing. Works without .env.
#   docker-clean.sh PROJECT IMAGE_REPO...     Env: DOCKER (docker)
# Only objects labelled com.docker.compose.project=PROJECT and images of the given repositories
# (todo-backend, todo-frontend, todo-tools), tagged or left untagged by a later build, are
# touched; postgres:15-alpine stays.
set -euo pipefail
docker=${DOCKER:-docker}
project=$1
shift
label="label=com.docker.compose.project=$project"

containers=$("$docker" ps -a --filter "$label" --format '{{.Names}}')
volumes=$("$docker" volume ls -q --filter "$label")
networks=$("$docker" network ls -q --filter "$label" --format '{{.Name}}')
images=""
for repo in "$@"; do
  images+=$("$docker" image ls "$repo" --format '{{.Repository}}:{{.Tag}}' | grep -v ':<none>$' || true)
  images+=$'\n'
  # untagged leftovers of the same repository
  images+=$("$docker" image ls "$repo" --filter dangling=false --format '{{.Repository}}:{{.Tag}} {{.ID}}' |
    awk '$1 ~ /:<none>$/ {print $2}' || true)
  images+=$'\n'
done
# untagged images of earlier builds (dangling), found by the project label `make build` sets
images+=$("$docker" image ls -q --filter dangling=true --filter "label=com.todo-chatbot.project=$project" || true)
images=$(printf '%s' "$images" | sed '/^$/d' | sort -u)

if [[ -z $containers$volumes$networks$images ]]; then
  echo "clean: nothing of project '$project' to delete"
  exit 0
fi
delete() { # KIND COMMAND... : names, then deletes
  local kind=$1
  shift
  local items
  items=$(cat)
  [[ -n $items ]] || return 0
  while read -r item; do echo "clean: deleting $kind $item"; done <<<"$items"
  # shellcheck disable=SC2086
  "$@" $items >/dev/null
}
delete container "$docker" rm -f <<<"$containers"
delete volume "$docker" volume rm <<<"$volumes"
delete network "$docker" network rm <<<"$networks"
delete image "$docker" image rm -f <<<"$images"
echo "clean: done (the postgres:15-alpine base image is kept; docker image rm postgres:15-alpine removes it)"
