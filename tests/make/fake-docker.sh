#!/usr/bin/env bash
# A recording stand-in for the docker CLI (tests/make/); no engine here.
# Appends each call to $FAKE_LOG and answers from FAKE_* variables. With FAKE_TOOLS=DIR,
# `run ... --entrypoint TOOL IMAGE ARGS` runs DIR/TOOL ARGS here (the tools image's binaries are
# the ones built natively). With FAKE_EXEC=1, `compose ... exec -T SERVICE CMD...` runs CMD here.
printf '%s\n' "$*" >>"${FAKE_LOG:-/dev/null}"
cmd=$1 sub=${2:-}
if [[ $cmd == compose ]]; then # skip compose's global options: -p NAME, -f FILE
  args=("${@:2}")
  while [[ ${args[0]:-} == -[pf] ]]; do args=("${args[@]:2}"); done
  sub=${args[0]:-}
fi
case "$cmd $sub" in
  "run "*)
    if [[ -n ${FAKE_TOOLS:-} ]]; then
      args=("${@:2}") tool=""
      while ((${#args[@]})); do # options up to the image; --entrypoint names the tool
        case ${args[0]} in
          --entrypoint) tool=${args[1]}; args=("${args[@]:2}") ;;
          --user | -v | -w | --network) args=("${args[@]:2}") ;;
          -*) args=("${args[@]:1}") ;;
          *) args=("${args[@]:1}"); break ;; # the image
        esac
      done
      exec "$FAKE_TOOLS/$tool" "${args[@]}"
    fi ;;
  "compose exec")
    if [[ -n ${FAKE_EXEC:-} ]]; then
      args=("${@:2}")
      while [[ ${args[0]:-} == -[pf] ]]; do args=("${args[@]:2}"); done
      args=("${args[@]:1}") # exec
      while [[ ${args[0]:-} == -* ]]; do args=("${args[@]:1}"); done
      exec "${args[@]:1}" # after the service
    fi ;;
  "info "*)
    [[ -n ${FAKE_INFO_ERR:-} ]] && { echo "$FAKE_INFO_ERR" >&2; exit 1; }
    echo 27.3.1 ;;
  "compose version")
    [[ -n ${FAKE_COMPOSE_VERSION:-} ]] || { echo "docker: 'compose' is not a docker command." >&2; exit 1; }
    echo "$FAKE_COMPOSE_VERSION" ;;
  "compose ps")
    printf '%b' "${FAKE_COMPOSE_PS:-}" ;;
  "compose logs")
    echo "log line of ${*: -1}"
    [[ -n ${FAKE_COMPOSE_LOG:-} ]] && echo "$FAKE_COMPOSE_LOG" ;;
  "compose config")
    printf 'postgres\nmigrate\nbackend\nfrontend\n' ;;
  "buildx version")
    [[ -n ${FAKE_NO_BUILDX:-} ]] && { echo "docker: 'buildx' is not a docker command." >&2; exit 1; }
    echo "github.com/docker/buildx v0.17.1" ;;
  "ps "*)
    if [[ $* == *"{{.Ports}}"* ]]; then printf '%b' "${FAKE_PS_PORTS:-}"; else printf '%b' "${FAKE_PS_NAMES:-}"; fi ;;
  "volume ls") printf '%b' "${FAKE_VOLUMES:-}" ;;
  "network ls") printf '%b' "${FAKE_NETWORKS:-}" ;;
  "image ls")
    repo=$3
    if [[ $* == *"{{.ID}}"* ]]; then exit 0; fi
    printf '%b' "${FAKE_IMAGES:-}" | grep "^$repo:" || true ;;
  *) ;;
esac
exit 0
