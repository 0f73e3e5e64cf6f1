"""Helpers for tests/make/test_docker*.py: `make -n` in the repo or in a scratch copy with its own .env."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TAG = "0.1.0-abc1234"
# What a scratch workspace links from the repo (read-only use); .env and build/ are its own.
LINKED = [
    "Makefile",
    "mk",
    "VERSION",
    "tools",
    "docker",
    "docker-compose.yml",
    "docker-compose.external-db.yml",
    "docker-compose.db-port.yml",
    "env.schema.yaml",
    ".env.example",
]


def run_make(
    cwd: Path, *args: str, dry: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    cmd = ["make", "--no-print-directory", *(["-n"] if dry else []), *args]
    if not any(a.startswith("TAG=") for a in args):
        cmd.append(f"TAG={TAG}")
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))}
    for knob in (
        "TAG",
        "DB",
        "POSTGRES_PORT",
        "FRONTEND_PORT",
        "BACKEND_PORT",
        "FRONTEND_URL",
        "BACKEND_URL",
        "TOOLS_MODE",
        "REGISTRY",
        "SERVICE",
        "FILE",
        "DB_EXEC",
        "PROBE",
        "ENVCHECK",
        "SECRETGEN",
    ):
        full_env.pop(knob, None)
    full_env.update(env or {})
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=full_env, timeout=120, check=False)


def snapshot(path: Path) -> dict[str, float]:
    out = {}
    for p in path.rglob("*"):
        if p.is_symlink() and p.parent == path:
            out[p.name] = 0.0
            continue
        if p.is_file() or p.is_dir():
            out[str(p.relative_to(path))] = p.stat().st_mtime
    return out


def make_workspace(tmp_path: Path) -> Path:
    """A scratch directory that links the repo's Make and Compose files but has its own .env."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    for name in LINKED:
        if (ROOT / name).exists():
            (tmp_path / name).symlink_to(ROOT / name)
    return tmp_path
