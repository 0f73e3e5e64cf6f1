"""`serve`: validate the settings, then run uvicorn with WEB_CONCURRENCY workers and JSON logs.

SIGTERM: uvicorn stops accepting, lets in-flight requests finish (up to the graceful timeout),
and exits 0.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable
from typing import Any

import uvicorn
from pydantic import ValidationError
from uvicorn.supervisors import Multiprocess

from app.balance import AcceptBalance, BalancedLoop
from app.coalesce import CoalescingTransport
from app.core.config import Settings
from app.core.logging import configure, logging_config

GRACEFUL_SHUTDOWN_SECONDS = 20  # below Kubernetes' default 30 s grace period


def describe_errors(exc: ValidationError) -> str:
    """Key names and reasons only: never the values (they may be secrets)."""
    lines = []
    for err in exc.errors(include_input=False, include_url=False):
        key = ".".join(str(p) for p in err["loc"]).upper()
        lines.append(f"  {key}: {err['msg']}")
    return "invalid configuration:\n" + "\n".join(lines)


def _exit_cleanly(signum: int, frame: object) -> None:
    raise SystemExit(0)


def http_protocol(protocol_class: type[asyncio.Protocol], balance: AcceptBalance | None) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol class, writing each response in one piece (app/coalesce.py) and,
    with several workers, telling `balance` when a connection ends (BalancedLoop counted it in
    when it accepted it)."""

    class Protocol(protocol_class):  # type: ignore[valid-type,misc]
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(CoalescingTransport(transport, asyncio.get_running_loop()))  # type: ignore[arg-type]

        def connection_lost(self, exc: Exception | None) -> None:
            if balance is not None:
                balance.closed()
            super().connection_lost(exc)

    Protocol.__name__ = Protocol.__qualname__ = f"Serve{protocol_class.__name__}"
    return Protocol


class ServeConfig(uvicorn.Config):
    """uvicorn's Config with our HTTP protocol (http_protocol above) and, for several workers
    (WEB_CONCURRENCY > 1), two more changes:

    Connections are shared out least-connections (app/balance.py): each worker's loop is a
    BalancedLoop, and the HTTP protocol counts open connections in shared memory.

    The shared listening socket says it is TCP.

    uvicorn binds that socket with proto 0 and asyncio turns TCP_NODELAY on only for sockets
    whose proto is IPPROTO_TCP, so every response written in two segments (headers, then body)
    waited for the client's delayed ACK: about 40 ms per keep-alive request on Linux
    (https://github.com/Kludex/uvicorn/issues/3149). A single worker is not affected: asyncio
    creates that socket itself."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.balance: AcceptBalance | None = None
        if self.workers > 1:
            try:
                self.balance = AcceptBalance()
            except OSError as exc:  # no shared memory (/dev/shm, or the temp dir, not writable)
                logging.getLogger("app").warning(
                    "workers share connections as the kernel hands them out", extra={"reason": str(exc)}
                )

    def load(self) -> None:
        super().load()
        self.http_protocol_class = http_protocol(self.http_protocol_class, self.balance)

    def get_loop_factory(self) -> Callable[[], asyncio.AbstractEventLoop] | None:
        balance = self.balance
        if balance is None:
            return super().get_loop_factory()
        return lambda: BalancedLoop(balance)

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto != socket.IPPROTO_TCP:
            sock = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
        return sock


def run(config: uvicorn.Config) -> None:
    """What uvicorn.run does with a Config for one or several workers (no reload here)."""
    server = uvicorn.Server(config)
    try:
        if config.workers > 1:
            Multiprocess(config, sockets=[config.bind_socket()]).run()
            return
        server.run()
    except KeyboardInterrupt:
        return
    if not server.started:
        sys.exit(3)  # uvicorn's STARTUP_FAILURE


def main() -> int:
    # uvicorn finishes in-flight requests on SIGTERM, then re-raises the signal with the handler
    # that was installed before it started: this one, so a graceful stop exits 0 (also when a
    # SIGTERM arrives before the server is up).
    signal.signal(signal.SIGTERM, _exit_cleanly)
    try:
        settings = Settings()  # type: ignore[call-arg]
    except ValidationError as exc:
        print(describe_errors(exc), file=sys.stderr)
        return 2
    configure(settings.log_level)
    config = ServeConfig(
        "app.main:app",
        host=os.environ.get("BACKEND_HOST", "0.0.0.0"),  # noqa: S104 - a container listens on all interfaces
        port=settings.backend_port,
        workers=settings.web_concurrency,
        log_config=logging_config(settings.log_level),
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        server_header=False,
        # No WebSocket routes: an Upgrade request is answered as plain HTTP (and every
        # connection's end reaches the HTTP protocol, which AcceptBalance counts on).
        ws="none",
    )
    run(config)
    return 0


if __name__ == "__main__":
    sys.exit(main())
