"""The process's database (app.core.db.Database: one psycopg_pool pool plus the health check's
connection) on the real PostgreSQL, how the app answers its errors, and that the task
endpoints' JSON is exactly TaskOut's."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import psycopg
import psycopg.errors
import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from psycopg_pool import PoolTimeout

from app.core.config import normalize_database_url
from app.core.db import Database
from app.schemas import TaskOut
from tests.conftest import make_settings
from tests.test_tasks import create


def run(scenario: Callable[[Database], Awaitable[Any]], database_url: str, **kw: Any) -> Any:
    """Runs scenario(db) on a fresh, opened Database, closed afterwards."""

    async def main() -> Any:
        db = Database(normalize_database_url(database_url), **kw)
        await db.open()
        try:
            return await scenario(db)
        finally:
            await db.close()

    return asyncio.run(main())


async def backend_pid(db: Database) -> int:
    async with db.connection() as conn:
        cur = await conn.execute("SELECT pg_backend_pid() AS pid")
        row = await cur.fetchone()
        assert row is not None
        return int(row["pid"])


def test_the_pool_never_opens_more_than_its_size_and_reuses_connections(database_url: str) -> None:
    async def scenario(db: Database) -> tuple[int, set[int]]:
        busy = peak = 0
        backends: set[int] = set()

        async def one() -> None:
            nonlocal busy, peak
            async with db.connection() as conn:
                busy += 1
                peak = max(peak, busy)
                cur = await conn.execute("SELECT pg_backend_pid() AS pid FROM pg_sleep(0.01)")
                backends.add((await cur.fetchone())["pid"])  # type: ignore[index]
                busy -= 1

        await asyncio.gather(*(one() for _ in range(12)))
        return peak, backends

    peak, backends = run(scenario, database_url, pool_size=2)
    assert peak <= 2
    assert 1 <= len(backends) <= 2, "12 requests on a pool of 2 share at most 2 connections"


def test_a_waiter_gets_pool_timeout_when_every_connection_stays_busy(database_url: str) -> None:
    async def scenario(db: Database) -> None:
        async with db.connection():
            with pytest.raises(PoolTimeout):
                async with db.connection():
                    pass
        async with db.connection() as conn:  # the connection came back
            await conn.execute("SELECT 1")

    run(scenario, database_url, pool_size=1, timeout=0.3)


def test_a_request_cancelled_mid_query_leaves_a_usable_pool(database_url: str) -> None:
    async def scenario(db: Database) -> None:
        async def slow() -> None:
            async with db.connection() as conn:
                await conn.execute("SELECT pg_sleep(5)")

        task = asyncio.create_task(slow())
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        async with asyncio.timeout(3):  # not stuck behind the 5 s query
            async with db.connection() as conn:
                cur = await conn.execute("SELECT 1 AS one")
                assert await cur.fetchone() == {"one": 1}

    run(scenario, database_url, pool_size=1)


def test_coming_back_from_an_outage_replaces_the_connections_opened_before(database_url: str) -> None:
    async def scenario(db: Database) -> tuple[int, int, int]:
        before = await backend_pid(db)
        again = await backend_pid(db)
        db.mark_down("test")
        assert await db.check() is True and db.up
        return before, again, await backend_pid(db)

    before, again, after = run(scenario, database_url, pool_size=1)
    assert before == again, "a connection is reused while the database is up"
    assert after != before


def test_the_health_check_has_its_own_connection_so_a_busy_pool_is_not_an_outage(database_url: str) -> None:
    async def scenario(db: Database) -> bool:
        async with db.connection():
            return await db.check(timeout=1.5)

    assert run(scenario, database_url, pool_size=1, timeout=0.5) is True


def test_while_marked_down_a_request_fails_at_once_without_a_connection(database_url: str) -> None:
    from app.core.db import DatabaseUnavailable

    async def scenario(db: Database) -> None:
        db.mark_down("test")
        with pytest.raises(DatabaseUnavailable):
            async with db.connection():
                pass

    run(scenario, database_url, pool_size=1)


@pytest.mark.parametrize(
    ("error", "status", "marks_down"),
    [
        (PoolTimeout(), 503, False),
        (psycopg.errors.QueryCanceled("canceling statement due to statement timeout"), 503, False),
        (psycopg.OperationalError("server closed the connection unexpectedly"), 503, True),
        # a valid token whose account was deleted: the token is what is wrong
        (psycopg.errors.ForeignKeyViolation("no such user"), 401, False),
        (psycopg.errors.DataError("invalid input"), 500, False),
    ],
)
def test_database_errors_are_answered_503_401_or_500(
    database_url: str, error: Exception, status: int, marks_down: bool
) -> None:
    from app.main import create_app

    app = create_app(make_settings(database_url))

    async def boom() -> None:
        raise error

    app.add_api_route("/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/ready").status_code == 200  # the start-up health check is over
        r = client.get("/boom")
        assert r.status_code == status
        if status == 503:
            assert r.headers["retry-after"].isdigit()
        assert app.state.db.up is not marks_down


def test_a_statement_timeout_is_503_without_marking_the_database_down(client: TestClient) -> None:
    from app.api.deps import database

    async def slow(request: Request) -> dict[str, str]:
        async with database(request).transaction() as conn:
            await conn.execute("SET LOCAL statement_timeout = 50")
            await conn.execute("SELECT pg_sleep(1)")
        return {"status": "unreachable"}

    client.app.add_api_route("/slow", slow)  # type: ignore[attr-defined]
    r = client.get("/slow")
    assert r.status_code == 503
    assert r.headers["retry-after"].isdigit()
    assert client.app.state.db.up is True  # type: ignore[attr-defined]


def test_task_json_is_exactly_what_the_task_model_serialises(client: TestClient, alice: Any) -> None:
    task = create(client, alice, 'quotes " and \\ and \u00e9\u4e2d\U0001f600', "desc\nline")
    for r in (
        client.get(f"/api/{alice.id}/tasks/{task['id']}", headers=alice.headers),
        client.patch(f"/api/{alice.id}/tasks/{task['id']}/complete", headers=alice.headers),
    ):
        assert r.content == TaskOut.model_validate_json(r.content).model_dump_json().encode()
    r = client.get(f"/api/{alice.id}/tasks", headers=alice.headers)
    assert r.content == b"[" + TaskOut.model_validate(r.json()[0]).model_dump_json().encode() + b"]"


def test_update_ignores_a_null_title_and_clears_a_null_description(client: TestClient, alice: Any) -> None:
    task = create(client, alice, "keep", "drop me")
    url = f"/api/{alice.id}/tasks/{task['id']}"
    r = client.put(url, headers=alice.headers, json={"title": None, "description": None, "completed": None})
    assert r.status_code == 200
    assert r.json()["title"] == "keep" and r.json()["description"] is None and r.json()["completed"] is False
    r = client.put(url, headers=alice.headers, json={})
    assert r.status_code == 200 and r.json()["description"] is None and r.json()["title"] == "keep"


def test_a_write_for_a_deleted_account_is_a_401_not_an_error(app_factory: Any, database_url: str) -> None:
    """The token is valid but its account is gone: the client must sign in again (401), the
    server has no fault (not 500) and the database is fine (not 503)."""
    from tests.conftest import register

    client = app_factory()
    user = register(client)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("DELETE FROM users WHERE id = %s", (user.id,))
    r = client.post(f"/api/{user.id}/tasks", headers=user.headers, json={"title": "orphan"})
    assert r.status_code == 401
    assert "orphan" not in r.text
    r = client.post(f"/api/{user.id}/chat", headers=user.headers, json={"message": "add a task to buy milk"})
    assert r.status_code == 401
    assert client.get("/ready").status_code == 200
