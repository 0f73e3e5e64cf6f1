"""`make -n` helpers for tests/make/test_k8s*.py and test_helm*.py: the commands a target would
run, one per line, with a fixed TAG, and a recording-shim PATH for the scripts."""

from __future__ import annotations

import os
import pathlib
import re
import subprocess

from chartlib import HELM, ROOT

TAG = "0.1.0-abc1234"
SIDE_EFFECT_DIRS = ("k8s", "helm")


def make_n(*args: str, build: pathlib.Path | None = None, check: bool = True) -> list[str]:
    """Lines `make -n` prints (continuations joined). TAG is pinned; HELM is the cached one."""
    cmd = ["make", "--no-print-directory", "-n", f"TAG={TAG}", f"HELM={HELM}", *args]
    if build is not None:
        cmd.append(f"BUILD={build}")
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if check:
        assert r.returncode == 0, r.stderr
    text = re.sub(r"[ \t]*\\\n[ \t]*", " ", r.stdout)
    return [line for line in text.splitlines() if line.strip()] if check else [r.returncode, r.stderr]


def find(lines: list[str], pattern: str) -> int:
    for i, line in enumerate(lines):
        if re.search(pattern, line):
            return i
    raise AssertionError(f"no line matches {pattern!r} in:\n" + "\n".join(lines))


def tree_digest() -> dict[str, float]:
    """mtime of every file under the folders the targets write, to prove `make -n` wrote nothing."""
    out = {}
    for d in SIDE_EFFECT_DIRS:
        for p in (ROOT / d).rglob("*"):
            if p.is_file():
                out[str(p)] = p.stat().st_mtime_ns
    # build/ is shared with other suites running in parallel: the tests pass BUILD=<tmp> instead
    # and check that <tmp> stays empty.
    return out


def shim_path(tmp_path: pathlib.Path, *names: str, outputs: dict[str, str] | None = None) -> dict[str, str]:
    """An environment whose PATH starts with recording shims: each call appends
    'name arg...' to tmp_path/calls and prints outputs[name] (a shell snippet may be given)."""
    bindir = tmp_path / "shims"
    bindir.mkdir(exist_ok=True)
    outputs = outputs or {}
    for name in names:
        script = bindir / name
        script.write_text("#!/usr/bin/env bash\n"
                          f'echo "{name} $*" >> "{tmp_path}/calls"\n'
                          + outputs.get(name, "") + "\n")
        script.chmod(0o755)
    env = dict(os.environ)
    env["PATH"] = f"{bindir}:/usr/bin:/bin"
    return env


def calls(tmp_path: pathlib.Path) -> list[str]:
    f = tmp_path / "calls"
    return f.read_text().splitlines() if f.exists() else []
