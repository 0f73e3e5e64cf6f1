#!/usr/bin/env bash
# Checks what `make build/up/down...` need before calling Docker, and says in one sentence what
# to do when something is missing: Docker not installed or not running, Compose v1 only, no
# BuildKit (buildx), a host port already taken (and by which process).
#
#   docker-preflight.sh [PORT...]     PORT: host ports `make up` will publish
# Env: DOCKER (docker), COMPOSE_PROJECT (todo: ports held by this project's own containers are fine).
set -uo pipefail
docker=${DOCKER:-docker}
project=${COMPOSE_PROJECT:-todo}

fail() { printf 'make: %s\n' "$*" >&2; exit 1; }

command -v "$docker" >/dev/null 2>&1 ||
  fail "Docker is not installed. Install Docker Desktop (macOS, Windows) or Docker Engine with the Compose plugin (Linux): https://docs.docker.com/get-docker/"

if ! err=$("$docker" info --format '{{.ServerVersion}}' 2>&1 >/dev/null); then
  case $err in
    *permission\ denied*)
      fail "Docker is installed but you may not use it: add yourself to the docker group (sudo usermod -aG docker \$USER, then log in again) or start Docker Desktop." ;;
    *)
      fail "Docker is not running (the docker command cannot reach the engine). Start Docker Desktop, or on Linux: sudo systemctl start docker." ;;
  esac
fi

if ! compose_version=$("$docker" compose version --short 2>/dev/null); then
  if command -v docker-compose >/dev/null 2>&1; then
    fail "Only the old docker-compose (v1) is installed; this project needs Compose v2 ('docker compose'). Update Docker Desktop, or install the docker-compose-plugin package."
  fi
  fail "Docker Compose v2 is missing ('docker compose' does not work). Update Docker Desktop, or install the docker-compose-plugin package."
fi
compose_version=${compose_version#v}
major=${compose_version%%.*}
rest=${compose_version#*.}
minor=${rest%%.*}
if [[ $major =~ ^[0-9]+$ && $minor =~ ^[0-9]+$ ]] && ((major < 2 || (major == 2 && minor < 20))); then
  fail "Docker Compose $compose_version is too old; this project needs 2.20 or newer (update Docker Desktop or the docker-compose-plugin package)."
fi

"$docker" buildx version >/dev/null 2>&1 ||
  fail "BuildKit is missing (the 'docker buildx' plugin): update Docker Desktop, or install the docker-buildx-plugin package."

# who_listens PORT: a short description of the process listening on PORT, empty when free.
who_listens() {
  local port=$1 out=""
  if command -v lsof >/dev/null 2>&1; then
    out=$(lsof -nP -iTCP:"$port" -sTCP:LISTEN 2>/dev/null | awk 'NR==2 {print $1 " (pid " $2 ")"}')
  fi
  if [[ -z $out ]] && command -v ss >/dev/null 2>&1; then
    out=$(ss -Hltnp "sport = :$port" 2>/dev/null | sed -nE 's/.*users:\(\("([^"]+)",pid=([0-9]+).*/\1 (pid \2)/p' | head -n 1)
    [[ -z $out ]] && ss -Hltn "sport = :$port" 2>/dev/null | grep -q . && out="another process"
  fi
  if [[ -z $out ]] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    out="another process"
  fi
  printf '%s' "$out"
}

for port in "$@"; do
  [[ -n $port ]] || continue
  # our own running stack holds it: `make up` again is fine
  if "$docker" ps --filter "label=com.docker.compose.project=$project" --format '{{.Ports}}' 2>/dev/null |
    grep -qE "[:.]$port->"; then
    continue
  fi
  who=$(who_listens "$port")
  if [[ -n $who ]]; then
    fail "port $port is already taken by $who. Stop it, or choose another port in .env (FRONTEND_PORT, BACKEND_PORT, POSTGRES_PORT)."
  fi
done
exit 0
