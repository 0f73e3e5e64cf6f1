#!/usr/bin/env bash
# Makes the base images the product's Dockerfiles and Compose file name available in the test
# engine. No registry is reachable here, so each one that is absent and cannot be pulled is
# built as a look-alike from Debian packages (recipes in tests/docker/bases/<name>/), labelled
# org.todo-chatbot.lookalike=<hash of its recipe> and rebuilt only when that recipe changes.
# A real image of the same name (one without the label) is always kept as it is.
#
#   bases.sh CACHE PLUGINS_CACHE BUILDKIT_VERSION
#     CACHE          the debootstrap root filesystem and npm tarball, keyed by their recipe
#     PLUGINS_CACHE  where build-plugins.sh put dockerfile-frontend-<BUILDKIT_VERSION>/
# Env: DOCKER_HOST (the test engine), DEBIAN_MIRROR (http://deb.debian.org/debian),
#      NPM_VERSION (10.8.2), NPM_REGISTRY (npm config get registry), PULL_TIMEOUT (30),
#      PAUSE_IMAGE (registry.k8s.io/pause:3.10.1, the sandbox image of the test node)
set -euo pipefail
cache=${1:?usage: bases.sh CACHE PLUGINS_CACHE BUILDKIT_VERSION}
plugins=${2:?} buildkit_v=${3:?}
here=$(cd "$(dirname "$0")/bases" && pwd)
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
npm_v=${NPM_VERSION:-10.8.2}
PAUSE_IMAGE=${PAUSE_IMAGE:-registry.k8s.io/pause:3.10.1}
label=org.todo-chatbot.lookalike
mkdir -p "$cache"

log() { echo "bases: $*" >&2; }
hash_of() { sha256sum | cut -c1-16; }
image_label() { docker image inspect -f "{{index .Config.Labels \"$label\"}}" "$1" 2>/dev/null; }

# need NAME HASH: 0 when NAME must be built (absent, not pullable, or an older look-alike).
need() {
  local name=$1 hash=$2 have
  if docker image inspect "$name" >/dev/null 2>&1; then
    have=$(image_label "$name")
    [[ -z $have ]] && { log "$name: a real image is present; kept"; return 1; }
    [[ $have == "$hash" ]] && { log "$name: look-alike up to date ($hash)"; return 1; }
    log "$name: look-alike recipe changed ($have -> $hash); rebuilding"
    return 0
  fi
  if timeout "${PULL_TIMEOUT:-30}" docker pull -q "$name" >/dev/null 2>&1; then
    log "$name: pulled the real image"
    return 1
  fi
  log "$name: absent and not pullable; building a look-alike from Debian packages"
  return 0
}

# Certificates this machine trusts beyond Debian's (a TLS-intercepting proxy's CA, say):
# the package managers inside the builds need them. Never part of the product's images.
certs=$(mktemp -d); trap 'rm -rf "$certs"' EXIT
mkdir -p "$certs/certs"
find /usr/local/share/ca-certificates -name '*.crt' -exec cp {} "$certs/certs/" \; 2>/dev/null || true
certs_hash=$(cat "$certs"/certs/* 2>/dev/null | hash_of)

# --- the Debian root filesystem every look-alike starts from ---
# make_rootfs DIR: debootstrap, then the official Debian images' settings: no documentation,
# manual pages or translations, and apt keeps no package files or caches in layers.
make_rootfs() {
  local root=$1
  debootstrap --variant=minbase bookworm "$root" "$mirror"
  cat >"$root/etc/dpkg/dpkg.cfg.d/docker-excludes" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
CFG
  cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'CFG'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CFG
  find "$root/usr/share/doc" -mindepth 2 ! -name copyright ! -type d -delete
  rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/*
  find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
}
rootfs_hash=$( (echo "$mirror"; declare -f make_rootfs) | hash_of)
debian=todo-test/debian-minbase:bookworm-$rootfs_hash
if ! docker image inspect "$debian" >/dev/null 2>&1; then
  tarball=$cache/rootfs-bookworm-minbase-$rootfs_hash.tar
  if [[ ! -s $tarball ]]; then
    command -v debootstrap >/dev/null || { log "debootstrap is missing (make deps installs it)"; exit 1; }
    log "debootstrap bookworm (minbase) from $mirror (first run only)"
    t0=$SECONDS; root=$(mktemp -d "${TMPDIR:-/tmp}/rootfs.XXXXXX")
    make_rootfs "$root" >"$cache/debootstrap.log" 2>&1 ||
      { log "debootstrap failed; see $cache/debootstrap.log"; rm -rf "$root"; exit 1; }
    rm -f "$cache"/rootfs-bookworm-minbase-*.tar
    tar -C "$root" --numeric-owner -cf "$tarball.new" .
    rm -rf "$root"; mv "$tarball.new" "$tarball"
    log "root filesystem made in $((SECONDS - t0))s"
  fi
  # older root filesystems (another recipe) are of no use any more
  docker image ls --format '{{.Repository}}:{{.Tag}}' todo-test/debian-minbase | xargs -r docker image rm >/dev/null 2>&1 || true
  docker import --change 'CMD ["bash"]' "$tarball" "$debian" >/dev/null
fi

# build NAME RECIPE_DIR EXTRA_TAG... (the context is the recipe, the certificates and $extra/)
build() {
  local name=$1 recipe=$here/$2; shift 2
  local ctx hash t0=$SECONDS
  hash=$( (echo "$debian $certs_hash"; tar -C "$recipe" --sort=name --mtime=@0 --owner=0 --group=0 -c .
    find "$extra" -type f -exec cat {} +) | hash_of)
  need "$name" "$hash" || return 0
  local old; old=$(docker image inspect -f '{{.Id}}' "$name" 2>/dev/null || true)
  ctx=$(mktemp -d)
  cp -a "$recipe/." "$ctx/"; cp -a "$certs/certs" "$ctx/"
  cp -a "$extra/." "$ctx/"
  DOCKER_BUILDKIT=1 docker build -q --network host --build-arg "BASE=$debian" --label "$label=$hash" \
    -t "$name" "${@/#/--tag=}" "$ctx" >/dev/null || { rm -rf "$ctx"; log "$name: build failed"; exit 1; }
  rm -rf "$ctx"
  # the look-alike it replaces, now untagged
  [[ -n $old ]] && docker image rm "$old" >/dev/null 2>&1 || true
  log "$name: built in $((SECONDS - t0))s ($(docker image inspect -f '{{.Size}}' "$name" | awk '{printf "%.1f MB", $1/1e6}'))"
}

extra=$(mktemp -d); trap 'rm -rf "$certs" "$extra"' EXIT

# docker/dockerfile:1.7 (and :1): the frontend binary build-plugins.sh made
frontend=$plugins/dockerfile-frontend-$buildkit_v/dockerfile-frontend
[[ -x $frontend ]] || { log "$frontend is missing (make deps-docker-engine builds it)"; exit 1; }
cp "$frontend" "$extra/"
build docker/dockerfile:1.7 dockerfile docker/dockerfile:1
rm -f "$extra"/*

build python:3.11-slim-bookworm python python:3.11-slim

npm_tgz=$cache/npm-$npm_v.tgz
if [[ ! -s $npm_tgz ]]; then
  registry=${NPM_REGISTRY:-$(npm config get registry 2>/dev/null || echo https://registry.npmjs.org/)}
  curl -fsSL --retry 3 -o "$npm_tgz.new" "${registry%/}/npm/-/npm-$npm_v.tgz" && mv "$npm_tgz.new" "$npm_tgz"
fi
cp "$npm_tgz" "$extra/npm.tgz"
build node:18-alpine node
rm -f "$extra"/*

build postgres:15-alpine postgres

# registry.k8s.io/pause (the test node's sandbox image): pause.c compiled static here
command -v cc >/dev/null || { log "cc is missing (make deps installs gcc)"; exit 1; }
cc -static -O2 -Wall -Wextra -Werror -s -o "$extra/pause" "$here/pause/pause.c"
build "$PAUSE_IMAGE" pause
rm -f "$extra"/*
