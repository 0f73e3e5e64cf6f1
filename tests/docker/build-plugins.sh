#!/usr/bin/env bash
# Builds the Docker CLI plugins and the Dockerfile frontend the test engine needs, from the Go
# module proxy, once per version (a stamp keyed on module, version and flags):
#   CACHE/compose-<v>/docker-compose        github.com/docker/compose/v2, ./cmd
#   CACHE/buildx-<v>/docker-buildx          github.com/docker/buildx, ./cmd/buildx
#   CACHE/dockerfile-frontend-<v>/dockerfile-frontend
#                                           github.com/moby/buildkit, ./frontend/dockerfile/cmd/dockerfile-frontend
# `go install mod@v` refuses these modules (their go.mod has exclude directives), so each is
# built inside a writable copy of its module directory with its own go.mod/go.sum.
# Usage: build-plugins.sh CACHE COMPOSE_VERSION BUILDX_VERSION BUILDKIT_VERSION
# Env: GO (go), NICE (nice -n 19)
set -euo pipefail
cache=${1:?usage: build-plugins.sh CACHE COMPOSE_VERSION BUILDX_VERSION BUILDKIT_VERSION}
compose_v=${2:?} buildx_v=${3:?} buildkit_v=${4:?}
go=${GO:-go}
read -r -a nice <<<"${NICE:-nice -n 19}"
export CGO_ENABLED=0 GOFLAGS=-mod=mod

# build NAME MODULE VERSION PACKAGE OUTPUT TAGS LDFLAGS
build() {
  local name=$1 module=$2 version=$3 pkg=$4 out=$5 tags=$6 ldflags=$7
  local dir=$cache/$name-$version
  local stamp
  stamp=$(printf '%s\n' "$module" "$version" "$pkg" "$tags" "$ldflags" | sha256sum | cut -c1-16)
  if [[ -x $dir/$out && -f $dir/.stamp && $(cat "$dir/.stamp") == "$stamp" ]]; then
    echo "build-plugins: $name $version cached in $dir"
    return
  fi
  echo "build-plugins: building $name $version into $dir (first run only)"
  local t0=$SECONDS moddir work
  moddir=$("$go" mod download -json "$module@$version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [[ -n $moddir && -d $moddir ]] || { echo "build-plugins: could not download $module@$version" >&2; exit 1; }
  work=$(mktemp -d "${TMPDIR:-/tmp}/build-plugins.XXXXXX")
  # shellcheck disable=SC2064 # expand now: the trap must remove this copy
  trap "rm -rf '$work'" RETURN
  cp -a "$moddir/." "$work/"
  chmod -R u+w "$work"
  mkdir -p "$dir"
  (cd "$work" && "${nice[@]}" "$go" build -trimpath ${tags:+-tags "$tags"} -ldflags "$ldflags" -o "$dir/$out.new" "$pkg")
  mv "$dir/$out.new" "$dir/$out"
  echo "$stamp" >"$dir/.stamp"
  echo "build-plugins: $name built in $((SECONDS - t0))s"
}

build compose github.com/docker/compose/v2 "$compose_v" ./cmd docker-compose "" \
  "-s -w -X github.com/docker/compose/v2/internal.Version=$compose_v"
build buildx github.com/docker/buildx "$buildx_v" ./cmd/buildx docker-buildx "" \
  "-s -w -X github.com/docker/buildx/version.Version=$buildx_v -X github.com/docker/buildx/version.Package=github.com/docker/buildx"
build dockerfile-frontend github.com/moby/buildkit "$buildkit_v" ./frontend/dockerfile/cmd/dockerfile-frontend \
  dockerfile-frontend "netgo static_build osusergo" "-s -w -extldflags -static"
