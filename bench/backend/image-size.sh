#!/usr/bin/env bash
# Estimates the uncompressed size of the backend runtime image (docker/backend/Dockerfile) with
# no container engine: builds the venv exactly as the build stage does (same script, same pip
# flags, same requirements), sums what the runtime stage adds file by file (apparent sizes:
# what `docker image ls` counts), and adds the published size of the base image.
#   bench/backend/image-size.sh          (from the repo root; reuses build/image-size/ when
#                                         requirements.txt and slim-venv.sh are unchanged)
# Knobs:
#   SLIM=0        install as the build stage did before slim-venv.sh (pip with .pyc, nothing
#                 stripped or zipped), for the before/after comparison
#   BASE_MB=130.01  python:3.11-slim-bookworm linux/amd64, uncompressed: the "Virtual Size"
#                 (docker inspect, 1 MB = 10^6 bytes) that docker-library/repo-info publishes
#                 in repos/python/local/3.11-slim-bookworm.md (python 3.11.16, August 2026)
#   BOOKKEEPING_MB=1.0  what apt-get, ldconfig and useradd rewrite in the runtime layer
#                 (dpkg status and info files, ld.so.cache, logs, passwd/group/shadow), an
#                 upper bound; apt lists and caches are removed in the same RUN
#   TARGET_MB=150
set -euo pipefail
root=$(pwd)
backend=$root/docker/backend
slim=${SLIM:-1}
base_mb=${BASE_MB:-130.01}
bookkeeping_mb=${BOOKKEEPING_MB:-1.0}
target_mb=${TARGET_MB:-150}
python=${PYTHON:-python3}
work=$root/build/image-size
[[ $slim == 1 ]] || work=$root/build/image-size-unslimmed
[[ -f $backend/Dockerfile ]] || {
  echo "image-size: run from the repository root" >&2
  exit 2
}
mkdir -p "$work"

# 1. The venv, as the build stage makes it.
want=$( {
  "$python" -c 'import sys; print(sys.version)'
  echo "slim=$slim"
  cat "$backend/requirements.txt" "$backend/slim-venv.sh"
} | sha256sum | cut -d' ' -f1)
if [[ ! -f $work/stamp || $(cat "$work/stamp") != "$want" || ! -x $work/venv/bin/python ]]; then
  rm -rf "$work/venv" "$work/stamp"
  echo "image-size: building the runtime venv in $work/venv (about a minute)" >&2
  if [[ $slim == 1 ]]; then
    PYTHON=$python "$backend/slim-venv.sh" build "$work/venv" "$backend/requirements.txt" >"$work/build.log" 2>&1 ||
      { cat "$work/build.log" >&2; exit 1; }
  else
    "$python" -m venv --without-pip "$work/venv"
    PIP_DISABLE_PIP_VERSION_CHECK=1 "$python" -m pip --python "$work/venv/bin/python" install -q \
      -r "$backend/requirements.txt" >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
  fi
  echo "$want" >"$work/stamp"
fi

# 2. The Debian packages the runtime stage installs (the base lacks them): their files.
mapfile -t debs < <(sed -n '/^FROM .* AS runtime/,$p' "$backend/Dockerfile" |
  sed -n '/apt-get install/,/rm -rf/p' | grep -oE '(^|[[:space:]])lib[a-z0-9.+-]+' | tr -d ' \t' | sort -u)
mkdir -p "$work/debs"
for pkg in "${debs[@]}"; do
  if ! compgen -G "$work/debs/${pkg}_*.deb" >/dev/null; then
    (cd "$work/debs" && apt-get download -q "$pkg" >/dev/null 2>&1) ||
      { echo "image-size: apt-get download $pkg failed (run apt-get update?)" >&2; exit 1; }
  fi
done

# 3. The standard-library .pyc the runtime stage compiles (not before slim-venv.sh existed).
std_files=0 std_bytes=0
if [[ $slim == 1 ]]; then
  read -r std_files std_bytes < <(SIZE_ONLY=1 "$backend/slim-venv.sh" stdlib-pyc "$work/venv" "$backend")
fi

# 4. Sum everything; the app's .pyc are what `compileall` in the runtime stage writes.
"$python" - "$work" "$root" "$base_mb" "$bookkeeping_mb" "$target_mb" "$slim" "$std_files" "$std_bytes" "${debs[@]}" <<'PY'
import os
import py_compile
import subprocess
import sys
import tempfile
from collections import Counter

work, root, base_mb, bookkeeping_mb, target_mb, slim, std_files, std_bytes, *debs = sys.argv[1:]
MB = 1e6


def tree(path, skip=("__pycache__",)):
    """Apparent bytes of the regular files and symlinks under path (directories not counted)."""
    total = 0
    for top, dirs, files in os.walk(path):
        dirs[:] = [d for d in dirs if d not in skip]
        for name in files + [d for d in dirs if os.path.islink(os.path.join(top, d))]:
            total += os.lstat(os.path.join(top, name)).st_size
    return total


venv = os.path.join(work, "venv")
lib = next(os.path.join(venv, "lib", d) for d in os.listdir(os.path.join(venv, "lib")))
sp = os.path.join(lib, "site-packages")
parts = Counter()
for entry in os.listdir(sp):
    p = os.path.join(sp, entry)
    size = tree(p, skip=()) if os.path.isdir(p) else os.lstat(p).st_size
    if entry.endswith(".dist-info"):
        parts["venv: *.dist-info (metadata, licences)"] += size
    elif entry == "site-packages.zip":
        parts["venv: site-packages.zip (all pure-Python modules, compiled)"] += size
    elif entry.endswith(".so"):
        parts["venv: top-level extension modules"] += size
    else:
        parts[f"venv: {entry.split('.')[0].split('-')[0]}"] += size
native = os.path.join(lib, "site-native")
if os.path.isdir(native):
    for entry in os.listdir(native):
        parts[f"venv: site-native/{entry.replace('.libs', '')} (.so)"] += tree(os.path.join(native, entry), skip=())
parts["venv: bin/, pyvenv.cfg"] = sum(os.lstat(os.path.join(venv, "bin", f)).st_size for f in os.listdir(os.path.join(venv, "bin")))
parts["venv: bin/, pyvenv.cfg"] += os.path.getsize(os.path.join(venv, "pyvenv.cfg"))

backend = os.path.join(root, "docker/backend")
app = tree(os.path.join(backend, "app")) + tree(os.path.join(backend, "alembic"))
app += sum(os.path.getsize(p) for p in (
    os.path.join(backend, "alembic.ini"), os.path.join(backend, "entrypoint.sh"), os.path.join(root, "env.schema.yaml")))
pyc = 0
with tempfile.TemporaryDirectory() as tmp:
    for sub in ("app", "alembic"):
        for top, dirs, files in os.walk(os.path.join(backend, sub)):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            for name in files:
                if name.endswith(".py"):
                    out = os.path.join(tmp, "x.pyc")
                    py_compile.compile(os.path.join(top, name), cfile=out, doraise=True)
                    pyc += os.path.getsize(out)
parts["app + migrations + alembic.ini + entrypoint + schema"] = app
parts["app: .pyc written by compileall"] = pyc
if int(std_files):
    parts[f"stdlib .pyc for the {std_files} modules the app imports"] = int(std_bytes)
envcheck = os.path.join(root, "build/bin/envcheck")
if os.path.exists(envcheck):
    parts["envcheck (build/bin/envcheck, same Makefile)"] = os.path.getsize(envcheck)
else:
    parts["envcheck (not built here: make tools; counted as 0.2 MB)"] = 200_000
for pkg in debs:
    deb = next(f for f in os.listdir(os.path.join(work, "debs")) if f.startswith(pkg + "_"))
    listing = subprocess.run(["dpkg-deb", "-c", os.path.join(work, "debs", deb)], capture_output=True, text=True, check=True)
    size = sum(int(line.split()[2]) for line in listing.stdout.splitlines() if not line.startswith("d"))
    parts[f"apt: {deb} (all its files)"] = size
parts["apt/ldconfig/useradd bookkeeping (allowance)"] = float(bookkeeping_mb) * MB

added = sum(parts.values())
base = float(base_mb) * MB
total = base + added
print(f"backend runtime image, estimated uncompressed size ({'slimmed venv' if slim == '1' else 'venv as before slimming'})")
print(f"  {'python:3.11-slim-bookworm (published, linux/amd64)':62s} {base / MB:8.2f} MB")
for name, size in sorted(parts.items(), key=lambda kv: -kv[1]):
    if size >= 0.05 * MB or not name.startswith("venv: "):
        print(f"  {name:62s} {size / MB:8.2f} MB")
small = sum(s for n, s in parts.items() if s < 0.05 * MB and n.startswith("venv: "))
print(f"  {'venv: other packages, each under 0.05 MB':62s} {small / MB:8.2f} MB")
venv_total = sum(s for n, s in parts.items() if n.startswith("venv: "))
print(f"  {'(venv total)':62s} {venv_total / MB:8.2f} MB")
print(f"  {'added by the runtime stage':62s} {added / MB:8.2f} MB")
verdict = "within" if total <= float(target_mb) * MB else "OVER"
print(f"total ~ {total / MB:.1f} MB: {verdict} the {target_mb} MB target ({(total - float(target_mb) * MB) / MB:+.1f} MB)")
PY
