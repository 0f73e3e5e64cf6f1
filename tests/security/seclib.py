"""The attack suite's stack, natively on loopback: a private PostgreSQL (mk/scripts/pg-temp.sh),
the backend as its image starts it (docker/backend/entrypoint.sh: the real envcheck, then
uvicorn) with the settings users get by default, the built standalone frontend, and a hostile
OpenAI-compatible server for a second backend that uses the openai provider. Every server runs
under an address-space limit (RLIMIT_AS) so that a regression cannot take the machine down, and
every request has a timeout."""

from __future__ import annotations

import http.client
import json
import os
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / "build/bin"
BACKEND_DIR = ROOT / "docker/backend"
BACKEND_PYTHON = ROOT / "build/venv-backend/bin/python"
STANDALONE = ROOT / "build/frontend/standalone"
PG_TEMP = ROOT / "mk/scripts/pg-temp.sh"
SERVER_AS_LIMIT = 3 << 30  # bytes of address space a server may map (Python maps far more than it uses)
TOOL_AS_LIMIT = 1 << 30


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def limit_as(nbytes: int) -> Any:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (nbytes, nbytes))
        os.setsid()

    return apply


def peak_rss_kib(pid: int) -> int:
    """The process's peak resident memory so far (VmHWM), KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmHWM for pid {pid}")


def request(
    method: str,
    url: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
    raw: bytes | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request; (status, headers in lower case, body). Never raises on an HTTP status."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None and "Content-Type" not in (headers or {}):
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, _headers(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, _headers(e.headers), e.read()


def _headers(msg: Any) -> dict[str, str]:
    """Response headers by lower-case name; a repeated one (Set-Cookie) joined by newlines."""
    out: dict[str, str] = {}
    for k, v in msg.items():
        out[k.lower()] = f"{out[k.lower()]}\n{v}" if k.lower() in out else v
    return out


def json_of(body: bytes) -> Any:
    return json.loads(body) if body else None


class Server:
    """A process of the stack, in its own session (under RLIMIT_AS when as_limit is given); its
    log in DIR/NAME.log."""

    def __init__(self, name: str, cmd: list[str], env: dict[str, str], cwd: Path, log_dir: Path,
                 as_limit: int | None = SERVER_AS_LIMIT) -> None:
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self.log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            cmd, env=env, cwd=cwd, stdout=self.log, stderr=subprocess.STDOUT,
            preexec_fn=limit_as(as_limit) if as_limit else os.setsid,
        )

    def wait(self, url: str, deadline: float = 90) -> None:
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited {self.proc.returncode}:\n{self.log_path.read_text()[-3000:]}")
            try:
                if request("GET", url, timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name}: {url} not ready in {deadline} s:\n{self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


class PgTemp:
    def __init__(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="security-pg-", dir="/tmp")
        out = subprocess.run([str(PG_TEMP), "start", self.dir], check=True, capture_output=True, text=True, timeout=120)
        self.url = out.stdout.strip().split("=", 1)[1]

    def pids(self) -> list[int]:
        """The postmaster and its children (to stop the database without killing it)."""
        postmaster = int((Path(self.dir) / "data/postmaster.pid").read_text().split()[0])
        children = subprocess.run(["pgrep", "-P", str(postmaster)], capture_output=True, text=True).stdout.split()
        return [postmaster, *map(int, children)]

    def destroy(self) -> None:
        subprocess.run([str(PG_TEMP), "stop", self.dir], capture_output=True, timeout=60)
        subprocess.run(["rm", "-rf", self.dir], check=False)


def backend_env(database_url: str, port: int, **extra: str) -> dict[str, str]:
    """What the backend container gets, natively: the image's ENV, the defaults of every limit."""
    return {
        "PATH": f"{BACKEND_PYTHON.parent}:/usr/local/bin:/usr/bin:/bin",
        "DATABASE_URL": database_url,
        "JWT_SECRET": secrets.token_urlsafe(48),
        "CHAT_PROVIDER": "local",
        "BACKEND_HOST": "127.0.0.1",
        "BACKEND_PORT": str(port),
        "ENV_FILE": "/nonexistent/.env",
        "ENVCHECK": str(BIN / "envcheck"),
        "ENV_SCHEMA": str(ROOT / "env.schema.yaml"),
        "PYTHON": str(BACKEND_PYTHON),
        "LOG_LEVEL": "warning",
        **extra,
    }


def migrate(database_url: str, log_dir: Path) -> None:
    env = backend_env(database_url, 0)
    r = subprocess.run(["sh", str(BACKEND_DIR / "entrypoint.sh"), "migrate"], env=env, cwd=BACKEND_DIR,
                       capture_output=True, text=True, timeout=120)
    (log_dir / "migrate.log").write_text(r.stdout + r.stderr)
    if r.returncode != 0:
        raise RuntimeError(f"migrate failed:\n{r.stdout}{r.stderr}")


def start_backend(database_url: str, log_dir: Path, name: str = "backend", **extra: str) -> tuple[Server, str]:
    port = free_port()
    srv = Server(name, ["sh", str(BACKEND_DIR / "entrypoint.sh"), "serve"], backend_env(database_url, port, **extra),
                 BACKEND_DIR, log_dir)
    base = f"http://127.0.0.1:{port}"
    srv.wait(base + "/ready")
    return srv, base


def start_frontend(backend: str, log_dir: Path) -> tuple[Server, str]:
    port = free_port()
    env = {"PATH": os.environ["PATH"], "PORT": str(port), "HOSTNAME": "127.0.0.1", "BACKEND_URL": backend,
           "NODE_ENV": "production", "NEXT_TELEMETRY_DISABLED": "1"}
    # Node reserves address space for WebAssembly far beyond what it uses (undici's HTTP parser),
    # so the frontend runs without RLIMIT_AS; it is not what these attacks could blow up.
    srv = Server("frontend", ["node", "server.js"], env, STANDALONE, log_dir, as_limit=None)
    base = f"http://127.0.0.1:{port}"
    srv.wait(base + "/api/healthz")
    return srv, base


class HostileModel:
    """An OpenAI-compatible server whose replies the test chooses (self.reply: request -> completion)."""

    def __init__(self) -> None:
        self.reply: Any = None
        model = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                data = json.dumps(model.reply(body)).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def completion(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "chatcmpl-hostile",
        "object": "chat.completion",
        "created": 0,
        "model": "hostile",
        "choices": [{"index": 0, "message": {"role": "assistant", **message}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def stream_body(host: str, port: int, path: str, total: int, chunk: int = 1 << 20, pause: float = 0.0,
                headers: dict[str, str] | None = None, declare_length: bool = True,
                prefix: bytes = b'{"email": "a@example.com", "password": "') -> tuple[int, bytes]:
    """POSTs `total` bytes of JSON (prefix, then x...) as it is produced (Content-Length declared or
    chunked), stopping when the server answers; returns (status, body)."""
    conn = http.client.HTTPConnection(host, port, timeout=60)
    conn.putrequest("POST", path)
    conn.putheader("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        conn.putheader(k, v)
    if declare_length:
        conn.putheader("Content-Length", str(total))
    else:
        conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    sent = 0
    try:
        while sent < total:
            piece = (prefix if sent == 0 else b"") + b"x" * min(chunk, total - sent - (len(prefix) if sent == 0 else 0))
            conn.send(piece if declare_length else b"%x\r\n%s\r\n" % (len(piece), piece))
            sent += len(piece)
            if pause:
                time.sleep(pause)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server answered and closed: what we want
    try:
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()
