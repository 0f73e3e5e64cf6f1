#!/usr/bin/env bash
# Installs the Debian packages given that are missing (Debian/Ubuntu, as root or with sudo);
# elsewhere prints the exact list and fails. Quick when everything is there.
set -euo pipefail
missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  # one dpkg-query call for all packages keeps the no-op case fast
  status=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "$@" 2>/dev/null || true)
  for p in "$@"; do
    grep -Eq "^${p//+/\\+}(:[a-z0-9]+)? ii" <<<"$status" || missing+=("$p")
  done
else
  echo "deps: not a Debian/Ubuntu system; install these (or your distribution's equivalents): $*" >&2
  exit 1
fi
((${#missing[@]} == 0)) && exit 0
echo "deps: installing ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
    echo "deps: missing Debian packages and no root/sudo; run: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: installed ${missing[*]}"
