"""Fixtures: a private PostgreSQL (mk/scripts/pg-temp.sh) migrated once per session, app clients,
and a helper that runs the real server (the entrypoint's `serve`: uvicorn) on a free port."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

BACKEND_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = BACKEND_DIR.parents[1]
PG_TEMP = REPO_ROOT / "mk" / "scripts" / "pg-temp.sh"
JWT_SECRET = "test-secret-" + "s" * 40


class PgTemp:
    """One throw-away PostgreSQL cluster in a temp dir."""

    def __init__(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="backend-pg-", dir="/tmp")
        self.url = ""

    def start(self) -> str:
        out = subprocess.run([str(PG_TEMP), "start", self.dir], check=True, capture_output=True, text=True, timeout=60)
        self.url = out.stdout.strip().split("=", 1)[1]
        return self.url

    def stop(self) -> None:
        subprocess.run([str(PG_TEMP), "stop", self.dir], check=True, capture_output=True, timeout=60)

    def destroy(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(BACKEND_DIR / "alembic.ini"), "upgrade", "head"],
        check=True,
        cwd=BACKEND_DIR,
        env=env,
        capture_output=True,
        timeout=60,
    )


@contextlib.contextmanager
def migrated_pg() -> Iterator[PgTemp]:
    """A private PostgreSQL with the migrations applied, removed on exit."""
    db = PgTemp()
    try:
        db.start()
        migrate(db.url)
        yield db
    finally:
        db.destroy()


@pytest.fixture(scope="session")
def pg() -> Iterator[PgTemp]:
    with migrated_pg() as db:
        yield db


@pytest.fixture(scope="session")
def database_url(pg: PgTemp) -> str:
    return pg.url


def make_settings(database_url: str, **overrides: Any) -> Any:
    from app.core.config import Settings

    # Throttling off unless a test asks for it: the suite signs up hundreds of users from one client.
    values: dict[str, Any] = {
        "database_url": database_url,
        "jwt_secret": JWT_SECRET,
        "chat_provider": "local",
        "login_rate_per_client": "100000/minute",
        "login_failures_per_account": "100000/minute",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def app_factory(database_url: str) -> Iterator[Callable[..., TestClient]]:
    """Builds app instances (each its own engine), entered as TestClient context managers."""
    from app.main import create_app

    clients: list[TestClient] = []

    def factory(**overrides: Any) -> TestClient:
        client = TestClient(create_app(make_settings(database_url, **overrides)))
        client.__enter__()
        clients.append(client)
        return client

    yield factory
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture
def client(app_factory: Callable[..., TestClient]) -> TestClient:
    return app_factory()


@dataclass
class User:
    id: str
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def register(client: TestClient | httpx.Client, password: str = "correct-horse-1") -> User:
    email = f"user-{uuid.uuid4().hex[:12]}@example.com"
    r = client.post("/api/auth/register", json={"email": email, "password": password, "name": "Test"})
    assert r.status_code == 201, r.text
    body = r.json()
    return User(id=body["user"]["id"], email=email, token=body["access_token"])


@pytest.fixture
def alice(client: TestClient) -> User:
    return register(client)


@pytest.fixture
def bob(client: TestClient) -> User:
    return register(client)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """The real server process, started as the image starts it (`entrypoint.sh serve`: uvicorn's
    command line) with /bin/true standing in for envcheck (tests/test_entrypoint.py covers the
    real one); always stopped by the fixture."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        full_env = {
            **os.environ,
            "JWT_SECRET": JWT_SECRET,
            "BACKEND_PORT": str(self.port),
            "BACKEND_HOST": "127.0.0.1",
            "WEB_CONCURRENCY": "1",
            "CHAT_PROVIDER": "local",
            "LOGIN_RATE_PER_CLIENT": "100000/minute",
            "LOGIN_FAILURES_PER_ACCOUNT": "100000/minute",
            "ENV_FILE": "/nonexistent/.env",
            "ENVCHECK": "/bin/true",
            "ENV_SCHEMA": str(BACKEND_DIR / "entrypoint.sh"),
            "PYTHON": sys.executable,
            **env,
        }
        self.log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            ["sh", str(BACKEND_DIR / "entrypoint.sh"), "serve"],
            cwd=BACKEND_DIR,
            env=full_env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited: {self.log_path.read_text()}")
            try:
                if httpx.get(self.base + "/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError("server did not become healthy")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    servers: list[Server] = []

    def factory(**env: str) -> Server:
        s = Server(env, tmp_path / f"server-{len(servers)}.log")
        servers.append(s)
        return s

    yield factory
    for s in servers:
        s.stop()


@pytest.fixture(scope="session")
def live_server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One real server shared by the tests that only need it running (fuzzing, the MCP client)."""
    srv = Server({"DATABASE_URL": database_url}, tmp_path_factory.mktemp("live") / "server.log")
    try:
        srv.wait_healthy()
        yield srv
    finally:
        srv.stop()
