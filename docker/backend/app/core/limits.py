"""Bounds on what a client can make the server hold: the request body (size and time to arrive)
and login attempts. Every refusal names the limit, never echoes the input."""

from __future__ import annotations

import asyncio
import json
import math
import time

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send


async def _refuse(send: Send, status: int, detail: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimitMiddleware:
    """Reads each request body as it arrives, before the app sees it: larger than `max_bytes`
    (by Content-Length, or counted while streaming) answers 413, slower than `timeout` seconds
    to arrive whole answers 408. Only a body within the limit is ever held in memory."""

    def __init__(self, app: ASGIApp, max_bytes: int, timeout: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout

    def _too_large(self) -> str:
        return f"Request body too large: the limit is {self.max_bytes} bytes (MAX_REQUEST_BODY_BYTES)"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        for key, value in scope["headers"]:
            if key == b"content-length":
                if not value.isdigit() or int(value) > self.max_bytes:
                    await _refuse(send, 413, self._too_large())
                    return
                break
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self.timeout):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > self.max_bytes:
                        await _refuse(send, 413, self._too_large())
                        return
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            detail = f"Request body not received within {self.timeout:g} s (BODY_READ_TIMEOUT_SECONDS)"
            await _refuse(send, 408, detail)
            return
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: wait for the disconnect, as the server would

        await self.app(scope, replay, send)


class LoginThrottle:
    """Sign-in throttling, per process (in memory; docs/backend.md gives the numbers per
    replica): attempts per client address, and attempts per account since its last success."""

    def __init__(self, per_client: str, failures_per_account: str) -> None:
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.per_client = parse(per_client)
        self.per_account = parse(failures_per_account)

    def _retry_after(self, item: object, *key: str) -> int:
        stats = self.limiter.get_window_stats(item, *key)  # type: ignore[arg-type]
        return max(1, math.ceil(stats.reset_time - time.time()))

    def client_attempt(self, client: str) -> int | None:
        """Counts an attempt from `client`; seconds to wait when it is over its limit."""
        if self.limiter.hit(self.per_client, "client", client):
            return None
        return self._retry_after(self.per_client, "client", client)

    def account_attempt(self, account: str) -> int | None:
        """Counts a sign-in attempt on `account` before its password is checked (so that attempts
        made at the same moment count too); seconds to wait when it is over its limit."""
        if self.limiter.hit(self.per_account, "account", account):
            return None
        return self._retry_after(self.per_account, "account", account)

    def account_succeeded(self, account: str) -> None:
        """A right password: the account's earlier failed attempts are forgotten."""
        self.limiter.clear(self.per_account, "account", account)
