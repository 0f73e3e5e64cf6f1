"""The event loop's connection pool (app.core.db.AsyncPool) on the real PostgreSQL, how the app
answers its errors, and that the task endpoints' hand-built JSON is exactly TaskOut's."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import psycopg
import psycopg.errors
import pytest
from fastapi.testclient import TestClient

from app.api.routes.tasks import FIELDS, task_json, tasks_json
from app.core.config import normalize_database_url
from app.core.db import AsyncPool, Database, PoolTimeout, connect_args, libpq_url
from app.schemas import TaskOut
from tests.conftest import make_settings
from tests.test_tasks import create


def run(factory: Callable[[], Awaitable[Any]]) -> Any:
    return asyncio.run(factory())


def make_pool(database_url: str, size: int = 2, timeout: float = 2.0) -> AsyncPool:
    return AsyncPool(libpq_url(normalize_database_url(database_url)), size, timeout, connect_args(timeout))


def test_the_pool_never_opens_more_than_its_size_and_reuses_connections(database_url: str) -> None:
    async def scenario() -> tuple[int, set[int]]:
        pool = make_pool(database_url, size=2)
        busy = peak = 0
        backends: set[int] = set()

        async def one() -> None:
            nonlocal busy, peak
            async with pool.connection() as conn:
                busy += 1
                peak = max(peak, busy)
                cur = await conn.execute("SELECT pg_backend_pid() FROM pg_sleep(0.01)")
                backends.add((await cur.fetchone())[0])
                busy -= 1

        await asyncio.gather(*(one() for _ in range(12)))
        await pool.close()
        return peak, backends

    peak, backends = run(scenario)
    assert peak == 2
    assert len(backends) == 2, "12 requests on a pool of 2 use the same 2 connections"


def test_a_waiter_gets_pool_timeout_when_every_connection_stays_busy(database_url: str) -> None:
    async def scenario() -> None:
        pool = make_pool(database_url, size=1, timeout=0.2)
        async with pool.connection():
            with pytest.raises(PoolTimeout):
                async with pool.connection():
                    pass
        async with pool.connection() as conn:  # the slot came back
            await conn.execute("SELECT 1")
        await pool.close()

    run(scenario)


def test_waiters_are_served_in_order_when_a_connection_is_released(database_url: str) -> None:
    async def scenario() -> list[int]:
        pool = make_pool(database_url, size=1)
        order: list[int] = []

        async def waiter(n: int) -> None:
            async with pool.connection():
                order.append(n)

        async with pool.connection():
            tasks = [asyncio.create_task(waiter(n)) for n in range(5)]
            await asyncio.sleep(0.05)
        await asyncio.gather(*tasks)
        await pool.close()
        return order

    assert run(scenario) == [0, 1, 2, 3, 4]


def test_a_request_cancelled_mid_query_gives_its_slot_back_with_a_usable_connection(database_url: str) -> None:
    # psycopg cancels the query on the server and waits for the connection to be idle again
    # (or closes it); the pool keeps only an idle, healthy connection.
    async def scenario() -> None:
        pool = make_pool(database_url, size=1)

        async def slow() -> None:
            async with pool.connection() as conn:
                await conn.execute("SELECT pg_sleep(5)")

        task = asyncio.create_task(slow())
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert pool.idle_count <= 1
        async with asyncio.timeout(2):  # not stuck behind the 5 s query
            async with pool.connection() as conn:
                assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
                cur = await conn.execute("SELECT 1")
                assert await cur.fetchone() == (1,)
        await pool.close()

    run(scenario)


def test_invalidate_replaces_the_connections_opened_before(database_url: str) -> None:
    async def scenario() -> tuple[int, int]:
        pool = make_pool(database_url, size=1)

        async def backend() -> int:
            async with pool.connection() as conn:
                cur = await conn.execute("SELECT pg_backend_pid()")
                return int((await cur.fetchone())[0])

        before = await backend()
        assert await backend() == before
        pool.invalidate()
        after = await backend()
        await pool.close()
        return before, after

    before, after = run(scenario)
    assert before != after


def test_the_health_check_has_its_own_connection_so_a_busy_pool_is_not_an_outage(database_url: str) -> None:
    async def scenario() -> bool:
        db = Database(normalize_database_url(database_url), timeout=0.5, pool_size=1)
        try:
            async with db.connection():
                return await db.check(timeout=1.5)
        finally:
            await db.close_async()
            db.stop()

    assert run(scenario) is True


@pytest.mark.parametrize(
    ("error", "status", "marks_down"),
    [
        (PoolTimeout(), 503, False),
        (psycopg.errors.QueryCanceled("canceling statement due to statement timeout"), 503, False),
        (psycopg.OperationalError("server closed the connection unexpectedly"), 503, True),
        (psycopg.errors.ForeignKeyViolation("no such user"), 500, False),
    ],
)
def test_database_errors_of_the_async_path_are_answered_like_the_others(
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


def test_task_json_is_exactly_what_the_task_model_would_serialise() -> None:
    stamps = [
        datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),  # no fraction of a second
        datetime(2026, 1, 2, 3, 4, 5, 120000, tzinfo=UTC),
        datetime(2026, 1, 2, 3, 4, 5, 7, tzinfo=timezone(timedelta(hours=2))),
    ]
    rows = [
        (1, "a" * 32, "Buy milk", None, False, stamps[0], stamps[1]),
        (2, "a" * 32, 'quotes " and \\ and \u00e9\u4e2d\U0001f600', "desc\nline", True, stamps[2], stamps[2]),
    ]
    for row in rows:
        assert task_json(row) == TaskOut(**dict(zip(FIELDS, row, strict=True))).model_dump_json().encode()
    expected = b"[" + b",".join(TaskOut(**dict(zip(FIELDS, r, strict=True))).model_dump_json().encode() for r in rows)
    assert tasks_json(rows) == expected + b"]"
    assert tasks_json([]) == b"[]"


def test_update_ignores_a_null_title_and_clears_a_null_description(client: TestClient, alice: Any) -> None:
    task = create(client, alice, "keep", "drop me")
    url = f"/api/{alice.id}/tasks/{task['id']}"
    r = client.put(url, headers=alice.headers, json={"title": None, "description": None, "completed": None})
    assert r.status_code == 200
    assert r.json()["title"] == "keep" and r.json()["description"] is None and r.json()["completed"] is False
    r = client.put(url, headers=alice.headers, json={})
    assert r.status_code == 200 and r.json()["description"] is None and r.json()["title"] == "keep"


def test_a_task_for_a_deleted_account_is_a_500_not_a_database_outage(app_factory: Any, database_url: str) -> None:
    from tests.conftest import register

    client = app_factory()
    user = register(client)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("DELETE FROM users WHERE id = %s", (user.id,))
    r = client.post(f"/api/{user.id}/tasks", headers=user.headers, json={"title": "orphan"})
    assert r.status_code == 500
    assert client.get("/ready").status_code == 200
