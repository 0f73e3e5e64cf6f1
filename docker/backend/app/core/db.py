"""The database: two fixed-size pools per process, a health flag, and a reconnect loop with backoff.

- `AsyncPool` (psycopg AsyncConnection, autocommit) serves the task endpoints on the event loop:
  one SQL statement and one round trip per request, no thread hop.
- The SQLAlchemy engine serves the sync endpoints (auth, chat, conversations) and the MCP tools.
- The health check has a connection of its own, so a saturated pool never reads as an outage.

While the database is known to be down, requests that need it are answered 503 at once
(with Retry-After) instead of each waiting for a connection; a background task probes it
with capped, jittered exponential backoff and clears the flag when it answers again.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import deque
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import psycopg
from psycopg import pq
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger("app.db")

BACKOFF_BASE_SECONDS = 0.2
BACKOFF_CAP_SECONDS = 5.0
RETRY_AFTER_SECONDS = 2


class DatabaseUnavailable(Exception):  # noqa: N818 - the name says what the handler answers
    """Raised when a request needs the database while it is known to be down."""


class PoolTimeout(Exception):  # noqa: N818 - mirrors sqlalchemy.exc.TimeoutError
    """No connection of the async pool became free within the pool timeout (answered 503)."""


def libpq_url(sqlalchemy_url: str) -> str:
    """postgresql+psycopg://... (SQLAlchemy's spelling) -> postgresql://... (libpq's)."""
    return sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1)


def connect_args(timeout: float) -> dict[str, Any]:
    """libpq parameters shared by every connection of the process (both pools and the health check)."""
    return {
        "connect_timeout": max(2, round(timeout)),  # libpq's minimum is 2 s
        "application_name": "todo-backend",
        "options": "-c statement_timeout=5000 -c idle_in_transaction_session_timeout=10000",
        "keepalives": 1,
        "keepalives_idle": 10,
        "keepalives_interval": 2,
        "keepalives_count": 3,
        "tcp_user_timeout": 5000,
    }


class AsyncPool:
    """At most `size` autocommit AsyncConnections, opened on demand and reused; a request that
    finds them all busy waits in line (FIFO) up to about `timeout`, then gets PoolTimeout. Fixed
    size, no overflow (see Database). A connection goes back to the pool only when it is idle and
    healthy; a broken one, one left mid-query (cancelled request) or one opened before
    invalidate() is closed. Owns its connections; must be used from one event loop.

    Waiters have no timer each (a timer per queued request was a measurable share of the CPU
    under load): one reaper task, alive only while someone waits, fails the overdue ones."""

    REAP_INTERVAL = 0.05

    def __init__(self, conninfo: str, size: int, timeout: float, kwargs: dict[str, Any]) -> None:
        self.conninfo = conninfo
        self.size = size
        self.timeout = timeout
        self.kwargs = kwargs
        self._idle: list[tuple[psycopg.AsyncConnection[Any], int]] = []
        self._free = size  # slots: connections that may be taken now (open or not yet opened)
        self._waiters: deque[tuple[float, asyncio.Future[None]]] = deque()
        self._reaper: asyncio.Task[None] | None = None
        self._generation = 0

    def invalidate(self) -> None:
        """Connections opened so far are not reused (closed when next met); new ones are opened."""
        self._generation += 1

    async def _acquire_slot(self) -> None:
        if self._free > 0 and not self._waiters:
            self._free -= 1
            return
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiters.append((loop.time() + self.timeout, waiter))
        if self._reaper is None or self._reaper.done():
            self._reaper = loop.create_task(self._reap())
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self._release_slot()  # handed a slot just as the request was cancelled
            raise

    def _release_slot(self) -> None:
        """Hand the slot to the first live waiter, or free it."""
        while self._waiters:
            _, waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._free += 1

    async def _reap(self) -> None:
        loop = asyncio.get_running_loop()
        while self._waiters:
            await asyncio.sleep(self.REAP_INTERVAL)
            now = loop.time()
            while self._waiters and self._waiters[0][0] <= now:
                _, waiter = self._waiters.popleft()
                if not waiter.done():
                    waiter.set_exception(PoolTimeout())

    async def _take(self) -> tuple[psycopg.AsyncConnection[Any], int]:
        while self._idle:
            conn, generation = self._idle.pop()
            if generation == self._generation and not conn.closed:
                return conn, generation
            await conn.close()
        generation = self._generation
        conn = await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True, **self.kwargs)
        return conn, generation

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        await self._acquire_slot()
        conn: psycopg.AsyncConnection[Any] | None = None
        generation = -1
        try:
            conn, generation = await self._take()
            yield conn
        finally:
            try:
                if conn is not None:
                    if (
                        generation == self._generation
                        and not conn.broken
                        and not conn.closed
                        and conn.info.transaction_status == pq.TransactionStatus.IDLE
                    ):
                        self._idle.append((conn, generation))
                    else:
                        await conn.close()
            finally:
                self._release_slot()

    async def close(self) -> None:
        """Close the idle connections (at shutdown); busy ones are closed when they come back."""
        self.invalidate()
        if self._reaper is not None:
            self._reaper.cancel()
        idle, self._idle = self._idle, []
        for conn, _ in idle:
            await conn.close()

    @property
    def idle_count(self) -> int:
        return len(self._idle)


def backoff_delay(attempt: int, base: float = BACKOFF_BASE_SECONDS, cap: float = BACKOFF_CAP_SECONDS) -> float:
    """Exponential backoff for the given attempt (0-based), capped, with jitter in [50%, 100%]."""
    delay = min(cap, base * (2**attempt))
    return delay * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not cryptography


class Database:
    def __init__(self, url: str, timeout: float = 2.0, pool_size: int = 20) -> None:
        self.engine: Engine = create_engine(
            url,
            # A fixed pool, no overflow: overflow connections are opened and closed again under
            # sustained load, and a connect that times out on a saturated host would be taken
            # for a database outage (every request 503 until the next health check).
            pool_size=pool_size,
            max_overflow=0,
            pool_timeout=timeout,
            # No ping per checkout (a round trip on every request): a dead connection fails its
            # request with 503 and SQLAlchemy then invalidates the whole pool, and the pool is
            # disposed when the database comes back (mark_up).
            pool_recycle=1800,
            connect_args=connect_args(timeout),
        )
        # The event loop's pool (task endpoints) has the same fixed size, so a worker holds at most
        # 2 x pool_size + 1 connections (this pool, the engine's, the health check's), each
        # opened on demand: under task traffic alone the engine's pool stays nearly empty.
        self.pool = AsyncPool(libpq_url(url), pool_size, timeout, connect_args(timeout))
        self._check_conn: psycopg.AsyncConnection[Any] | None = None
        self._check_lock: asyncio.Lock | None = None
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.up = True
        self.down_since: float | None = None
        self._stopping = False

    def mark_down(self, reason: str) -> None:
        if self.up:
            self.up = False
            self.down_since = time.monotonic()
            log.warning("database unavailable", extra={"reason": reason[:200]})

    def mark_up(self) -> None:
        if not self.up:
            outage = time.monotonic() - (self.down_since or time.monotonic())
            self.engine.dispose()  # drop connections opened before the outage
            self.pool.invalidate()
            log.info("database available again", extra={"outage_seconds": round(outage, 3)})
        self.up = True
        self.down_since = None

    async def ping_async(self) -> None:
        """One round trip on the health check's own connection (reopened when needed); raises on failure."""
        if self._check_lock is None:
            self._check_lock = asyncio.Lock()
        async with self._check_lock:
            conn = self._check_conn
            try:
                if conn is None or conn.closed or conn.broken:
                    self._check_conn = None
                    conn = await psycopg.AsyncConnection.connect(
                        self.pool.conninfo, autocommit=True, **self.pool.kwargs
                    )
                    self._check_conn = conn
                await conn.execute("SELECT 1")
            except BaseException:
                if conn is not None:
                    await conn.close()
                self._check_conn = None
                raise

    async def check(self, timeout: float = 1.5) -> bool:
        """A round trip bounded by timeout; updates the health flag."""
        try:
            await asyncio.wait_for(self.ping_async(), timeout)
        except Exception as exc:  # noqa: BLE001 - any failure means not ready
            self.mark_down(f"{type(exc).__name__}: {exc}")
            return False
        self.mark_up()
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

    def stop(self) -> None:
        self._stopping = True
        self.engine.dispose()

    async def close_async(self) -> None:
        """Close the event loop's connections (the lifespan's end)."""
        await self.pool.close()
        if self._check_conn is not None:
            await self._check_conn.close()
            self._check_conn = None

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        """A pooled autocommit connection for one request on the event loop."""
        if not self.up:
            raise DatabaseUnavailable()
        async with self.pool.connection() as conn:
            yield conn

    @contextmanager
    def session(self) -> Iterator[Session]:
        if not self.up:
            raise DatabaseUnavailable()
        with self.sessions() as s:
            yield s
