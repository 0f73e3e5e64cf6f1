"""Helpers for the Docker engine suite: commands against the private engine (DOCKER_HOST and
DOCKER_CONFIG come from `make docker-test`), a scratch clone of this checkout, free ports."""

from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ENGINE_DIR = Path(os.environ.get("DOCKER_ENGINE_DIR", ROOT / "build/docker-engine"))
# Builds download packages (apt, pip, npm): the engine has no NAT, so they use host networking.
BUILD_FLAGS = "--network=host"
PROJECT = "todo"


def require_engine() -> None:
    host = os.environ.get("DOCKER_HOST", "")
    if not host.startswith("unix://") or str(ENGINE_DIR) not in host:
        raise RuntimeError(f"DOCKER_HOST={host!r} is not the private test engine: run these tests with make docker-test")


def run(
    args: list[str] | str,
    *,
    cwd: Path = ROOT,
    env: dict[str, str] | None = None,
    timeout: float = 900,
    check: bool = True,
    quiet: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Runs a command, prints it and its output (the suite's log is the evidence), returns it."""
    argv = shlex.split(args) if isinstance(args, str) else args
    full_env = {**os.environ, **(env or {})}
    t0 = time.monotonic()
    p = subprocess.run(argv, cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout, check=False)
    took = time.monotonic() - t0
    if not quiet or p.returncode != 0:
        print(f"\n$ {shlex.join(argv)}   [{took:.1f}s, exit {p.returncode}]", flush=True)
        out = (p.stdout + p.stderr).strip()
        if out:
            print(out[-6000:], flush=True)
    if check and p.returncode != 0:
        raise AssertionError(f"{shlex.join(argv)} exited {p.returncode}:\n{(p.stdout + p.stderr)[-3000:]}")
    return p


def docker(*args: str, check: bool = True, timeout: float = 300) -> str:
    return run(["docker", *args], check=check, timeout=timeout, quiet=True).stdout.strip()


def inspect(obj: str) -> dict[str, Any]:
    return json.loads(docker("inspect", obj))[0]


def project_containers() -> dict[str, dict[str, Any]]:
    """The Compose project's containers by service name (all states)."""
    ids = docker("ps", "-aq", "--no-trunc", "--filter", f"label=com.docker.compose.project={PROJECT}").split()
    out: dict[str, dict[str, Any]] = {}
    for cid in ids:
        info = inspect(cid)
        out[info["Config"]["Labels"]["com.docker.compose.service"]] = info
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http(method: str, url: str, body: Any = None, token: str | None = None, timeout: float = 5) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw = r.read()
            return r.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw)
        except ValueError:
            return e.code, raw.decode(errors="replace")


def wait_ok(url: str, deadline: float, interval: float = 0.1) -> float:
    """Seconds until url answers 2xx; raises after deadline seconds."""
    t0 = time.monotonic()
    last = ""
    while time.monotonic() - t0 < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if 200 <= r.status < 300:
                    return time.monotonic() - t0
                last = f"HTTP {r.status}"
        except (urllib.error.URLError, OSError) as e:
            last = str(e)
        time.sleep(interval)
    raise AssertionError(f"{url} did not answer within {deadline}s (last: {last})")


def scratch_clone(dest: Path) -> Path:
    """A clone of this checkout with its uncommitted changes, and no .env: what a user has after
    `git clone`. Kept between runs (only build/ inside it survives a refresh)."""
    if not (dest / ".git").is_dir():
        dest.parent.mkdir(parents=True, exist_ok=True)
        run(["git", "clone", "--quiet", "--no-local", str(ROOT), str(dest)])
    else:
        run(["git", "fetch", "--quiet", str(ROOT), "HEAD"], cwd=dest)
        run(["git", "reset", "--quiet", "--hard", "FETCH_HEAD"], cwd=dest)
        run(["git", "clean", "-qfdx", "--exclude=/build/"], cwd=dest)
    # the working tree's changes (modified and new files that git would not ignore)
    files = run(["git", "ls-files", "-z", "--modified", "--others", "--exclude-standard"], quiet=True).stdout
    names = [f for f in files.split("\0") if f and (ROOT / f).is_file()]
    if names:
        tar = subprocess.run(["tar", "-C", str(ROOT), "-cf", "-", "--null", "-T", "-"], input="\0".join(names).encode(),
                             capture_output=True, check=True)
        subprocess.run(["tar", "-C", str(dest), "-xf", "-"], input=tar.stdout, check=True)
    deleted = run(["git", "ls-files", "-z", "--deleted"], quiet=True).stdout
    for f in filter(None, deleted.split("\0")):
        (dest / f).unlink(missing_ok=True)
    (dest / ".env").unlink(missing_ok=True)
    return dest
