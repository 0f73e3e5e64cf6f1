"""The real server (entrypoint.sh serve: uvicorn) against a database that goes away and comes
back, and a graceful SIGTERM. Time bounds here guard against hangs, they do not measure speed."""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import PgTemp, Server, migrated_pg, register
from tests.test_chat_openai import FakeOpenAI, completion

HANG_GUARD_SECONDS = 5.0  # "no 30 s hangs": a 503 must come back well before a client would give up


@pytest.fixture(scope="module")
def module_pg() -> Iterator[PgTemp]:
    """A database of this module's own, since its tests stop and start it."""
    with migrated_pg() as db:
        yield db


@pytest.fixture
def own_pg(module_pg: PgTemp) -> PgTemp:
    module_pg.start()  # idempotent: running again even if an earlier test failed while it was down
    return module_pg


def wait_for(check: Callable[[], bool], timeout: float = 45.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError("condition not reached in time")


def status_of(url: str, **kw: Any) -> int:
    try:
        return httpx.request(kw.pop("method", "GET"), url, timeout=10, **kw).status_code
    except httpx.HTTPError:
        return 0


def test_database_lost_and_back_without_restart(own_pg: PgTemp, server_factory: Callable[..., Server]) -> None:
    srv = server_factory(DATABASE_URL=own_pg.url)
    srv.wait_healthy()
    wait_for(lambda: status_of(srv.base + "/ready") == 200)
    with httpx.Client(base_url=srv.base, timeout=10) as http:
        user = register(http)
        tasks_url = f"/api/{user.id}/tasks"
        assert http.post(tasks_url, headers=user.headers, json={"title": "survives"}).status_code == 201

        own_pg.stop()
        for _ in range(3):
            start = time.monotonic()
            r = http.get(tasks_url, headers=user.headers)
            elapsed = time.monotonic() - start
            assert r.status_code == 503, r.text
            assert r.headers["retry-after"].isdigit()
            assert elapsed < HANG_GUARD_SECONDS
        r = http.post(tasks_url, headers=user.headers, json={"title": "during outage"})
        assert r.status_code == 503
        assert http.get("/ready").status_code == 503
        assert http.get("/health").status_code == 200

        own_pg.start()
        wait_for(lambda: http.get(tasks_url, headers=user.headers).status_code == 200)
        assert http.get("/ready").status_code == 200
        assert [t["title"] for t in http.get(tasks_url, headers=user.headers).json()] == ["survives"]
    assert srv.proc.poll() is None, "the server must not have restarted or exited"
    log = srv.log_path.read_text()
    assert "database unavailable" in log and "database available again" in log
    assert own_pg.url.split("@")[0].split(":")[-1] not in log, "the database password must not be logged"


def test_requests_are_served_as_soon_as_the_database_is_back(
    own_pg: PgTemp, server_factory: Callable[..., Server]
) -> None:
    """A connection that broke in the outage must not stand between the returned database and
    the requests. The pool replaces a broken connection in the background and, while the server
    refuses it, retries with a growing backoff (1, 2, 4, 8 s...) that counts against the pool's
    size: left to its default (five minutes of retries), the one slot of a pool of 1 stayed
    taken until the next retry, so requests still waited and got 503 seconds after /ready said
    200 (a stall the real-node chaos runs showed right after their database outage)."""
    srv = server_factory(DATABASE_URL=own_pg.url, DB_POOL_SIZE="1")
    srv.wait_healthy()
    wait_for(lambda: status_of(srv.base + "/ready") == 200)
    with httpx.Client(base_url=srv.base, timeout=10) as http:
        user = register(http)
        tasks_url = f"/api/{user.id}/tasks"
        assert http.get(tasks_url, headers=user.headers).status_code == 200  # the pool's connection

        own_pg.stop()
        assert http.get(tasks_url, headers=user.headers).status_code == 503  # it broke, is replaced
        time.sleep(8)  # the pool's retries back off past the database's return
        own_pg.start()
        wait_for(lambda: status_of(srv.base + "/ready") == 200)
        statuses = []
        for _ in range(10):
            start = time.monotonic()
            r = http.get(tasks_url, headers=user.headers)
            statuses.append((r.status_code, round(time.monotonic() - start, 2)))
        assert all(code == 200 for code, _ in statuses), statuses


def test_starts_without_a_database_and_becomes_ready_when_it_appears(
    own_pg: PgTemp, server_factory: Callable[..., Server]
) -> None:
    own_pg.stop()
    srv = server_factory(DATABASE_URL=own_pg.url)
    srv.wait_healthy()
    assert status_of(srv.base + "/ready") == 503
    r = httpx.post(srv.base + "/api/auth/login", json={"email": "a@b.co", "password": "x"}, timeout=10)
    assert r.status_code == 503
    own_pg.start()
    wait_for(lambda: status_of(srv.base + "/ready") == 200)


@pytest.mark.parametrize(("workers", "exit_status"), [("1", -signal.SIGTERM), ("2", 0)])
def test_sigterm_finishes_in_flight_requests_then_exits(
    own_pg: PgTemp, server_factory: Callable[..., Server], workers: str, exit_status: int
) -> None:
    """One worker: uvicorn drains, then re-raises the SIGTERM it caught, so the process ends by that
    signal (as a container's PID 1, where a signal without a handler is ignored, it exits 0).
    Several workers: the supervisor drains its workers and exits 0."""
    fake = FakeOpenAI()
    try:

        def slow(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            time.sleep(2)
            return 200, completion({"content": "slow but fine"})

        fake.reply = slow
        srv = server_factory(
            DATABASE_URL=own_pg.url,
            CHAT_PROVIDER="openai",
            OPENAI_API_KEY="sk-fake",
            OPENAI_BASE_URL=fake.url,
            WEB_CONCURRENCY=workers,
        )
        srv.wait_healthy()
        wait_for(lambda: status_of(srv.base + "/ready") == 200)
        user = register(httpx.Client(base_url=srv.base, timeout=10))
        result: dict[str, Any] = {}

        def in_flight() -> None:
            r = httpx.post(f"{srv.base}/api/{user.id}/chat", headers=user.headers, json={"message": "hi"}, timeout=30)
            result["status"], result["body"] = r.status_code, r.json()

        t = threading.Thread(target=in_flight)
        t.start()
        wait_for(lambda: len(fake.requests) == 1, timeout=20)
        srv.proc.send_signal(signal.SIGTERM)
        t.join(timeout=30)
        assert result.get("status") == 200 and result["body"]["response"] == "slow but fine"
        assert srv.proc.wait(timeout=30) == exit_status
        lines = [json.loads(line) for line in srv.log_path.read_text().splitlines() if line.startswith("{")]
        assert any(line.get("path", "").endswith("/chat") and line.get("status") == 200 for line in lines)
    finally:
        fake.close()
