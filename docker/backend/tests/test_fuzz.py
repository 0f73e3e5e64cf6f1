"""OpenAPI-driven fuzzing (schemathesis) against the running server: no 500s anywhere.

Bounded (a fixed seed, few examples per operation) to keep the suite fast; the path user_id is
pinned to a real user so requests reach the handlers instead of stopping at 403.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx

from tests.conftest import Server, register

MAX_EXAMPLES = os.environ.get("FUZZ_MAX_EXAMPLES", "15")


def test_openapi_fuzz_finds_no_server_errors(live_server: Server, tmp_path: Path) -> None:
    srv = live_server
    with httpx.Client(base_url=srv.base, timeout=10) as http:
        user = register(http)
        for title in ("first", "second"):
            http.post(f"/api/{user.id}/tasks", headers=user.headers, json={"title": title})
        http.post(f"/api/{user.id}/chat", headers=user.headers, json={"message": "Add a task to fuzz"})
    config = tmp_path / "schemathesis.toml"
    config.write_text(f'[parameters]\n"path.user_id" = "{user.id}"\n')
    exe = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or "schemathesis"
    r = subprocess.run(
        [
            exe,
            "--config-file",
            str(config),
            "run",
            f"{srv.base}/openapi.json",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            MAX_EXAMPLES,
            "--seed",
            "20261123",
            "--phases",
            "examples,coverage,fuzzing",
            "--header",
            f"Authorization: Bearer {user.token}",
            "--request-timeout",
            "10",
            "--workers",
            "1",  # CPython 3.11 ast.parse is not thread-safe (hypothesis lambda reprs)
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,  # schemathesis writes a .schemathesis/ folder in its working directory
    )
    tail = "\n".join(r.stdout.splitlines()[-60:])
    assert r.returncode == 0, tail + r.stderr
    assert '"status": 500' not in srv.log_path.read_text()
