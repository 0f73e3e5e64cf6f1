"""The database: one connection pool per process, a health flag, and a reconnect loop with backoff.

Every interface (the REST routes, the chat and its tools, MCP) reaches PostgreSQL through
`Database.connection()` (autocommit: each statement commits on its own) or
`Database.transaction()` (statements that commit together), on one psycopg_pool
AsyncConnectionPool of at most `pool_size` connections, opened on demand. The health check has a
connection of its own, so a saturated pool never reads as an outage: a process holds at most
`pool_size` + 1 connections (docs/backend.md, "Connections").

While the database is known to be down, requests that need it are answered 503 at once
(with Retry-After) instead of each waiting for a connection; a background task probes it
with capped, jittered exponential backoff and clears the flag when it answers again.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

log = logging.getLogger("app.db")

BACKOFF_BASE_SECONDS = 0.2
BACKOFF_CAP_SECONDS = 5.0
RETRY_AFTER_SECONDS = 2

Connection = psycopg.AsyncConnection[dict[str, Any]]


class DatabaseUnavailable(Exception):  # noqa: N818 - the name says what the handler answers
    """Raised when a request needs the database while it is known to be down."""


class DatabaseTimeout(Exception):  # noqa: N818 - mirrors psycopg_pool.PoolTimeout
    """A request's database work took longer than the statement timeout (a hung or overloaded
    server: statement_timeout alone cannot help when the server does not run)."""


def libpq_url(url: str) -> str:
    """postgresql+psycopg://... (SQLAlchemy's spelling, Alembic's) -> postgresql://... (libpq's)."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def connect_args(timeout: float, statement_timeout: float = 5.0) -> dict[str, Any]:
    """libpq parameters of every connection of the process (the pool's and the health check's)."""
    return {
        "connect_timeout": max(2, round(timeout)),  # libpq's minimum is 2 s
        "application_name": "todo-backend",
        "options": f"-c statement_timeout={round(statement_timeout * 1000)}"
        " -c idle_in_transaction_session_timeout=10000 -c TimeZone=UTC",
        "keepalives": 1,
        "keepalives_idle": 10,
        "keepalives_interval": 2,
        "keepalives_count": 3,
        "tcp_user_timeout": 5000,
    }


def backoff_delay(attempt: int, base: float = BACKOFF_BASE_SECONDS, cap: float = BACKOFF_CAP_SECONDS) -> float:
    """Exponential backoff for the given attempt (0-based), capped, with jitter in [50%, 100%]."""
    delay = min(cap, base * (2**attempt))
    return delay * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not cryptography


class Database:
    """The process's pool and the database's health. Open it in the event loop (`open`)."""

    def __init__(self, url: str, timeout: float = 2.0, pool_size: int = 10, statement_timeout: float = 5.0) -> None:
        self.conninfo = libpq_url(url)
        self.kwargs = connect_args(timeout, statement_timeout)
        self.statement_timeout = statement_timeout
        # min_size 0: connections are opened when requests need them (and closed after 10 idle
        # minutes), so an idle replica holds none; max_size bounds what the process can hold.
        # A request waits for one up to `timeout`, then gets PoolTimeout (503).
        # reconnect_timeout: the pool replaces a broken connection in the background, retrying
        # with a growing backoff (1, 2, 4, 8 s...) while its slot counts against max_size. With
        # the library's default (5 minutes) a connection that broke in an outage kept its slot
        # until its next retry, seconds after the database was back, and requests waited for it
        # and got 503. Here it gives up after `timeout`; the reconnect loop below owns the
        # outage, and requests open connections again once it is over.
        self.pool: AsyncConnectionPool[Connection] = AsyncConnectionPool(
            self.conninfo,
            min_size=0,
            max_size=pool_size,
            timeout=timeout,
            reconnect_timeout=timeout,
            kwargs={**self.kwargs, "autocommit": True, "row_factory": dict_row},
            open=False,
            name="todo",
        )
        self._check_conn: psycopg.AsyncConnection[Any] | None = None
        self._check_task: asyncio.Task[None] | None = None
        self.up = True
        self.down_since: float | None = None
        self._stopping = False

    async def open(self) -> None:
        await self.pool.open()

    def mark_down(self, reason: str) -> None:
        if self.up:
            self.up = False
            self.down_since = time.monotonic()
            log.warning("database unavailable", extra={"reason": reason[:200]})

    async def mark_up(self) -> None:
        if not self.up:
            outage = time.monotonic() - (self.down_since or time.monotonic())
            await self.pool.drain()  # connections opened before the outage are replaced
            log.info("database available again", extra={"outage_seconds": round(outage, 3)})
        self.up = True
        self.down_since = None

    async def ping(self) -> None:
        """One round trip on the health check's own connection (reopened when needed); raises on failure."""
        conn = self._check_conn
        try:
            if conn is None or conn.closed or conn.broken:
                self._check_conn = None
                conn = await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True, **self.kwargs)
                self._check_conn = conn
            await conn.execute("SELECT 1")
        except BaseException:
            if conn is not None:
                await conn.close()
            self._check_conn = None
            raise

    async def check(self, timeout: float = 1.5) -> bool:
        """A round trip bounded by timeout; updates the health flag. One ping at a time: a check
        that comes while one is under way waits for that one. A ping that outlives the timeout
        is cancelled but not waited for (psycopg may take seconds to give up on a server that
        does not answer at all), so the answer always comes within `timeout`."""
        if self._check_task is None or self._check_task.done():
            self._check_task = asyncio.create_task(self.ping())
        task = self._check_task
        done, _ = await asyncio.wait({task}, timeout=timeout)
        if not done:
            task.cancel()
            self.mark_down(f"no answer within {timeout:g} s")
            return False
        exc = task.exception() if not task.cancelled() else asyncio.CancelledError()
        if exc is not None:
            self.mark_down(f"{type(exc).__name__}: {exc}")
            return False
        await self.mark_up()
        return True

    async def reconnect_loop(self) -> None:
        """Runs for the life of the process: probe at start, then only while the DB is down."""
        await self.check()
        attempt = 0
        while not self._stopping:
            if self.up:
                attempt = 0
                await asyncio.sleep(0.25)
                continue
            await asyncio.sleep(backoff_delay(attempt))
            attempt += 1
            if await self.check():
                attempt = 0

    async def close(self) -> None:
        """Stop the reconnect loop and close every connection (the lifespan's end)."""
        self._stopping = True
        await self.pool.close()
        if self._check_task is not None and not self._check_task.done():
            self._check_task.cancel()
        if self._check_conn is not None:
            await self._check_conn.close()
            self._check_conn = None

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection]:
        """A pooled autocommit connection, rows as dicts; 503 at once while the database is down.
        The block (waiting for a connection included) must end within the statement timeout,
        else DatabaseTimeout."""
        if not self.up:
            raise DatabaseUnavailable()
        try:
            async with asyncio.timeout(self.statement_timeout), self.pool.connection() as conn:
                yield conn
        except TimeoutError:
            raise DatabaseTimeout() from None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        """A pooled connection in a transaction: committed at the end of the block, rolled back on an error."""
        async with self.connection() as conn, conn.transaction():
            yield conn
