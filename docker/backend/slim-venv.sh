#!/usr/bin/env bash
# Builds the backend's runtime venv and slims it: the ONE place that decides what the image's
# /opt/venv holds. The Dockerfile's build stage runs it, bench/backend/image-size.sh runs it to
# estimate the image size, and docker/backend/tests/test_slim_venv.py runs it to prove the
# result still imports the app and runs the migrations.
#   slim-venv.sh build VENV REQUIREMENTS   create VENV (no pip in it), install, then slim
#   slim-venv.sh slim VENV                 slim an installed venv in place
#   slim-venv.sh stdlib-pyc VENV APP_DIR   compile the stdlib modules the app imports (runtime
#                                          stage; SIZE_ONLY=1: print count and bytes only)
# Needs: python3.11 with pip (PYTHON, default python3), strip and nm (binutils), ldconfig.
#
# What slimming does (docs/readme/backend-image.md explains each step and what it saves):
#  1. strip --strip-unneeded every shared object (debug and local symbols only).
#  2. The libraries bundled in *.libs/ (psycopg-binary's OpenSSL, Kerberos, ...) become links
#     to the base image's own copies, for the sonames listed in SYSTEM_SONAMES only (all in
#     python:3.11-slim-bookworm) and only when the system copy exports every symbol (with its
#     version) that the bundled one is used for. libpq itself stays bundled (newer than
#     Debian's).
#  3. Every pure-Python module goes, compiled, into one deflated zip on sys.path
#     (site-packages/site-packages.zip); the sources, __pycache__, *.pyi, C sources and the
#     packages' own test suites are left out. Extension modules (.so) cannot be imported from
#     a zip: those inside packages move to lib/python3.X/site-native/ (same relative paths) and
#     a small finder (site-packages/_venv_native.py, loaded by venv-slim.pth) imports them
#     from there. *.dist-info stays on disk (importlib.metadata, entry points, licences, SBOMs)
#     without RECORD (stale now) and without the long description in METADATA.
set -euo pipefail

PYTHON=${PYTHON:-python3}
# Sonames of libraries that python:3.11-slim-bookworm ships (libssl3, krb5, keyutils,
# e2fsprogs' com_err, libcrypt1): bundled copies of these may be replaced by links to them.
SYSTEM_SONAMES="libcrypto.so.3 libssl.so.3 libgssapi_krb5.so.2 libkrb5.so.3 libk5crypto.so.3
libkrb5support.so.0 libkeyutils.so.1 libcom_err.so.2 libcrypt.so.1"

die() {
  echo "slim-venv: $*" >&2
  exit 1
}

site_packages() { # VENV
  local sp
  sp=$(echo "$1"/lib/python3.*/site-packages)
  [[ -d $sp ]] || die "no site-packages under $1"
  echo "$sp"
}

build() { # VENV REQUIREMENTS
  local venv=$1 req=$2
  [[ ! -e $venv ]] || die "$venv exists; remove it first"
  "$PYTHON" -m venv --without-pip "$venv"
  # The interpreter's own pip installs into the venv, so pip and setuptools stay out of it.
  # --no-compile: the .pyc files are made by the slim step, into the zip.
  PIP_DISABLE_PIP_VERSION_CHECK=1 "$PYTHON" -m pip --python "$venv/bin/python" install \
    --no-input --no-compile --only-binary=:all: -r "$req"
  slim "$venv"
}

strip_objects() { # VENV
  find "$1" -type f \( -name '*.so' -o -name '*.so.*' \) -print0 | xargs -0 -r strip --strip-unneeded
}

system_lib_path() { # SONAME -> path of the system copy, or nothing
  # No early exit in awk: ldconfig would get SIGPIPE and pipefail would stop the script.
  ldconfig -p | awk -v s="$1" '$1 == s && !found && /x86-64|x86_64|aarch64|AArch64/ { print $NF; found = 1 }'
}

defined_symbols() { # FILE -> name@version per line
  nm -D --defined-only "$1" | awk '{ sub(/@@/, "@", $3); print $3 }' | sort -u
}

# Replace bundled copies (name-<hash>.so.N...) by links to the system library of that soname.
debundle() { # SITE
  local libs lib base soname sys users imports needed missing changed=1
  # Until nothing changes: replacing one library (libssl) can drop the users that needed a
  # newer version of another (libcrypto).
  while ((changed)); do
    changed=0
    debundle_pass "$1"
  done
}

debundle_pass() { # SITE
  for libs in "$1"/*.libs; do
    [[ -d $libs ]] || continue
    for lib in "$libs"/*; do
      [[ -f $lib && ! -L $lib ]] || continue
      base=${lib##*/}
      # libcrypto-3a0647ea.so.3 -> libcrypto.so.3 ; libkrb5-f18b4d11.so.3.3 -> libkrb5.so.3
      soname=$(sed -E 's/^(lib[A-Za-z0-9_+]+)-[0-9a-f]{8}\.so\.([0-9]+).*/\1.so.\2/' <<<"$base")
      [[ $soname != "$base" ]] || continue
      grep -qw -- "$soname" <<<"$SYSTEM_SONAMES" || continue
      sys=$(system_lib_path "$soname")
      [[ -n $sys ]] || continue
      # The symbols its users import that it defines must all be defined by the system copy
      # (same version when the import names one).
      mapfile -t users < <(grep -rlF --include='*.so*' -- "$base" "$1" | grep -vxF -- "$lib" || true)
      ((${#users[@]})) || continue
      imports=$(for u in "${users[@]}"; do nm -D --undefined-only "$u" | awk '{ print $2 }'; done | sort -u)
      needed=$(awk -F@ 'NR == FNR { n[$1] = 1; next } ($1 in n)' \
        <(defined_symbols "$lib" | sed 's/@.*//') <(echo "$imports"))
      missing=$(awk 'NR == FNR { d[$0] = 1; split($0, p, "@"); n[p[1]] = 1; next }
        index($0, "@") ? !($0 in d) : !($0 in n)' <(defined_symbols "$sys") <(echo "$needed"))
      if [[ -n $missing ]]; then
        echo "slim-venv: keeping bundled $base for now: $sys lacks $(wc -l <<<"$missing") of the symbols it is used for" >&2
        continue
      fi
      ln -sf "$sys" "$lib"
      changed=1
      echo "slim-venv: $base -> $sys ($(wc -l <<<"$needed") symbols checked)"
    done
  done
}

slim() { # VENV
  local venv sp
  venv=$(cd "$1" && pwd)
  sp=$(site_packages "$venv")
  [[ ! -e $sp/site-packages.zip ]] || die "$venv is already slimmed"
  strip_objects "$venv"
  debundle "$sp"
  "$venv/bin/python" -I -S - "$sp" <<'PY'
import importlib.util
import marshal
import os
import shutil
import sys
import zipfile

sp = sys.argv[1]
native = os.path.join(os.path.dirname(sp), "site-native")
zpath = os.path.join(sp, "site-packages.zip")
DROP_SUFFIXES = (".pyi", ".pyx", ".pxd", ".c", ".h")
DROP_DIRS = {"__pycache__", "tests", "benchmarks"}
STAMP = (1980, 1, 1, 0, 0, 0)


def is_native(name):
    return name.endswith(".so") or ".so." in name


def stays_on_disk(entry):
    # Metadata, path configuration, top-level extension modules and bundled libraries.
    return entry.endswith((".dist-info", ".pth")) or entry == "__pycache__" or is_native(entry)


def pyc(source, target):
    code = compile(source, target, "exec", dont_inherit=True)
    header = importlib.util.MAGIC_NUMBER + bytes(12)  # timestamp pyc; no source to compare with
    return header + marshal.dumps(code)


def add(zf, name, data, mode=0o644):
    info = zipfile.ZipInfo(name, STAMP)
    info.external_attr = mode << 16
    info.compress_type = zipfile.ZIP_DEFLATED if data else zipfile.ZIP_STORED
    zf.writestr(info, data, compresslevel=9)


FINDER = '''"""Imports extension modules of zipped packages from site-native/ (written by slim-venv.sh)."""
import os
import sys
import zipimport
from importlib.machinery import EXTENSION_SUFFIXES, ExtensionFileLoader
from importlib.util import spec_from_file_location

ZIP = os.path.dirname(__file__)
NATIVE = os.path.join(os.path.dirname(os.path.dirname(ZIP)), "site-native")


class NativeFinder:
    @staticmethod
    def find_spec(fullname, path=None, target=None):
        *package, name = fullname.split(".")
        folder = os.path.join(NATIVE, *package)
        if not package or not os.path.isdir(folder):
            return None
        for suffix in EXTENSION_SUFFIXES:
            candidate = os.path.join(folder, name + suffix)
            if os.path.isfile(candidate):
                return spec_from_file_location(fullname, candidate, loader=ExtensionFileLoader(fullname, candidate))
        return None


class FastZipImporter(zipimport.zipimporter):
    """In 3.11 zipimporter.find_spec calls get_filename, which reads, inflates and unmarshals
    the module only to name it, and get_code then does it all again: name it from the zip's
    table of contents instead (about 0.2 s less CPU per process start)."""

    def get_filename(self, fullname):
        files = getattr(self, "_files", None)
        if files is not None:
            path = self.prefix + fullname.rpartition(".")[2]
            for suffix in ("/__init__.pyc", ".pyc"):
                if path + suffix in files:
                    return os.path.join(self.archive, path + suffix)
        return super().get_filename(fullname)


def _zip_hook(path):
    if path == ZIP or path.startswith(ZIP + os.sep):
        return FastZipImporter(path)
    raise ImportError("not the venv's zip")


if _zip_hook not in sys.path_hooks:
    sys.path_hooks.insert(0, _zip_hook)
    sys.path_importer_cache.pop(ZIP, None)

# Before the path finder, so that a folder of the same name in the zip cannot pass for a
# namespace package; it answers in one stat for modules that have no native folder.
if NativeFinder not in sys.meta_path:
    from importlib.machinery import PathFinder

    sys.meta_path.insert(sys.meta_path.index(PathFinder) if PathFinder in sys.meta_path else 0, NativeFinder)
'''

entries = sorted(os.listdir(sp))
with zipfile.ZipFile(zpath, "w") as zf:
    for entry in entries:
        top = os.path.join(sp, entry)
        if stays_on_disk(entry):
            if entry == "__pycache__":
                shutil.rmtree(top)
            elif entry.endswith(".libs") and os.path.isdir(top):
                os.makedirs(native, exist_ok=True)
                shutil.move(top, os.path.join(native, entry))
            continue
        if os.path.isfile(top):
            if entry.endswith(".py"):
                with open(top, "rb") as f:
                    add(zf, entry[:-3] + ".pyc", pyc(f.read(), os.path.join(zpath, entry)))
                os.remove(top)
            elif not entry.endswith(DROP_SUFFIXES):
                with open(top, "rb") as f:
                    add(zf, entry, f.read())
                os.remove(top)
            continue
        members = []  # (name in the zip, bytes)
        for root, dirs, files in os.walk(top):
            dirs[:] = sorted(d for d in dirs if d not in DROP_DIRS)
            rel = os.path.relpath(root, sp)
            for name in sorted(files):
                path = os.path.join(root, name)
                arc = f"{rel}/{name}"
                if is_native(name):
                    dest = os.path.join(native, rel)
                    os.makedirs(dest, exist_ok=True)
                    shutil.move(path, os.path.join(dest, name))
                elif name.endswith(".py"):
                    with open(path, "rb") as f:
                        members.append((arc[:-3] + ".pyc", pyc(f.read(), os.path.join(zpath, arc))))
                elif not name.endswith(DROP_SUFFIXES):
                    with open(path, "rb") as f:
                        members.append((arc, f.read()))
        # Directory entries (zipimport needs them for namespace packages), but only for folders
        # that keep a file: a folder of stubs only (pydantic_core/_pydantic_core/) would
        # otherwise pass for a namespace package and hide the extension module of that name.
        folders = {name.rsplit("/", i)[0] + "/" for name, _ in members for i in range(1, name.count("/") + 1)}
        for folder in sorted(folders):
            add(zf, folder, b"", 0o755 | 0o040000)
        for name, data in members:
            add(zf, name, data)
        shutil.rmtree(top)
    add(zf, "_venv_native.pyc", pyc(FINDER.encode(), os.path.join(zpath, "_venv_native.py")))

# dist-info: RECORD lists the files as pip installed them, which no longer exist (and there is
# no pip here to uninstall anything); METADATA keeps its headers (name, version, requirements,
# licence: what importlib.metadata reads) but not the long description (the README).
for entry in entries:
    if entry.endswith(".dist-info"):
        info = os.path.join(sp, entry)
        if os.path.exists(os.path.join(info, "RECORD")):
            os.remove(os.path.join(info, "RECORD"))
        meta = os.path.join(info, "METADATA")
        with open(meta, encoding="utf-8") as f:
            headers = f.read().split("\n\n", 1)[0]
        with open(meta, "w", encoding="utf-8") as f:
            f.write(headers + "\n\n")

with open(os.path.join(sp, "venv-slim.pth"), "w") as f:
    f.write("site-packages.zip\nimport _venv_native\n")
print(f"slim-venv: {zpath} ({os.path.getsize(zpath) / 1e6:.1f} MB)")
PY
}

# The base image ships its standard library without .pyc; with PYTHONDONTWRITEBYTECODE and a
# read-only root filesystem every process would compile what it imports at each start (about
# 0.4 s of CPU per process, and the MCP import in a thread holds the GIL meanwhile). Compile
# the standard-library modules that the app, its server, MCP and the migrations import, into
# their usual __pycache__; with SIZE_ONLY=1 only print how many and how many bytes.
stdlib_pyc() { # VENV APP_DIR
  (cd "$2" && "$1/bin/python" - "${SIZE_ONLY:-0}" <<'PY'
import importlib.util
import os
import py_compile
import sys
import sysconfig
import tempfile

import alembic.command  # noqa: F401
import alembic.runtime.migration  # noqa: F401
import app.agent.openai_provider  # noqa: F401
import app.main  # noqa: F401
import app.mcp_server  # noqa: F401
import app.serve  # noqa: F401
import uvicorn.lifespan.on  # noqa: F401
import uvicorn.loops.auto  # noqa: F401
import uvicorn.protocols.http.auto  # noqa: F401

size_only = sys.argv[1] == "1"
stdlib = sysconfig.get_paths()["stdlib"] + os.sep
files = sorted(
    {m.__file__ for m in list(sys.modules.values()) if getattr(m, "__file__", None) and m.__file__.endswith(".py")}
)
files = [f for f in files if f.startswith(stdlib) and "site-packages" not in f]
total = 0
with tempfile.TemporaryDirectory() as tmp:
    for f in files:
        cfile = os.path.join(tmp, "x.pyc") if size_only else importlib.util.cache_from_source(f)
        py_compile.compile(f, cfile=cfile, doraise=True)
        total += os.path.getsize(cfile)
print(f"{len(files)} {total}")
PY
  )
}

case ${1:-} in
  build)
    (($# == 3)) || die "usage: slim-venv.sh build VENV REQUIREMENTS"
    build "$2" "$3"
    ;;
  slim)
    (($# == 2)) || die "usage: slim-venv.sh slim VENV"
    slim "$2"
    ;;
  stdlib-pyc)
    (($# == 3)) || die "usage: slim-venv.sh stdlib-pyc VENV APP_DIR"
    stdlib_pyc "$2" "$3"
    ;;
  *) die "usage: slim-venv.sh build VENV REQUIREMENTS | slim VENV | stdlib-pyc VENV APP_DIR" ;;
esac
