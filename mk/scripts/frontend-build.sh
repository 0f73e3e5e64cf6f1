#!/usr/bin/env bash
# Builds the standalone Next.js server when the sources (or NEXT_PUBLIC_API_BASE_URL) changed,
# then lays it out as the image does: .next/standalone + .next/static + public.
#   FORCE=1 frontend-build.sh   rebuild even when up to date
set -euo pipefail
dir=${FRONTEND_DIR:-docker/frontend}
out=${FRONTEND_BUILD:-build/frontend}
mkdir -p "$out"
# One build at a time in this checkout (other suites build too): wait for a running one.
exec 9>"$out/build.lock"
flock 9
standalone="$dir/.next/standalone"
stamp=$(realpath -m "$out/next-build.stamp")
want="NEXT_PUBLIC_API_BASE_URL=${NEXT_PUBLIC_API_BASE_URL:-}"

stale=${FORCE:-0}
if [[ ! -f $standalone/server.js || ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  stale=1
elif [[ -n $(cd "$dir" && find app components lib public next.config.mjs tsconfig.json package-lock.json \
  -newer "$stamp" -print -quit) ]]; then
  stale=1
fi
# The copy under build/ is what run, e2e and bench start: outside docker/frontend, Node cannot
# fall back to docker/frontend/node_modules, so a file missing from the standalone output fails
# there as it would in the image.
copy="$out/standalone"
lay_out_copy() {
  rm -rf "$copy.tmp" && cp -a "$standalone" "$copy.tmp" && rm -rf "$copy" && mv "$copy.tmp" "$copy"
}
if [[ $stale == 0 ]]; then
  [[ -f $copy/server.js && ! $copy/server.js -ot $standalone/server.js ]] || lay_out_copy
  echo "frontend-build: $standalone and $copy are up to date"
  exit 0
fi

echo "frontend-build: next build in $dir"
(cd "$dir" && NEXT_TELEMETRY_DISABLED=1 npx --no-install next build)
rm -rf "$standalone/.next/static" "$standalone/public"
cp -r "$dir/.next/static" "$standalone/.next/static"
cp -r "$dir/public" "$standalone/public"
lay_out_copy
echo "$want" >"$stamp"
echo "frontend-build: ready: node $copy/server.js (also $standalone)"
