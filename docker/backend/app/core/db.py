"""The database: one engine per process, a health flag, and a reconnect loop with backoff.

While the database is known to be down, requests that need it are answered 503 at once
(with Retry-After) instead of each waiting for a connection; a background task probes it
with capped, jittered exponential backoff and clears the flag when it answers again.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger("app.db")

BACKOFF_BASE_SECONDS = 0.2
BACKOFF_CAP_SECONDS = 5.0
RETRY_AFTER_SECONDS = 2


class DatabaseUnavailable(Exception):  # noqa: N818 - the name says what the handler answers
    """Raised when a request needs the database while it is known to be down."""


def backoff_delay(attempt: int, base: float = BACKOFF_BASE_SECONDS, cap: float = BACKOFF_CAP_SECONDS) -> float:
    """Exponential backoff for the given attempt (0-based), capped, with jitter in [50%, 100%]."""
    delay = min(cap, base * (2**attempt))
    return delay * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not cryptography


class Database:
    def __init__(self, url: str, timeout: float = 2.0, pool_size: int = 20) -> None:
        connect_timeout = max(2, round(timeout))  # libpq's minimum is 2 s
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
            connect_args={
                "connect_timeout": connect_timeout,
                "application_name": "todo-backend",
                "options": "-c statement_timeout=5000 -c idle_in_transaction_session_timeout=10000",
                "keepalives": 1,
                "keepalives_idle": 10,
                "keepalives_interval": 2,
                "keepalives_count": 3,
                "tcp_user_timeout": 5000,
            },
        )
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
            log.info("database available again", extra={"outage_seconds": round(outage, 3)})
        self.up = True
        self.down_since = None

    def ping(self) -> None:
        """One round trip; raises on failure."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    async def check(self, timeout: float = 1.5) -> bool:
        """A round trip bounded by timeout; updates the health flag."""
        try:
            await asyncio.wait_for(asyncio.to_thread(self.ping), timeout)
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

    @contextmanager
    def session(self) -> Iterator[Session]:
        if not self.up:
            raise DatabaseUnavailable()
        with self.sessions() as s:
            yield s
