"""`serve`: validate the settings, then run uvicorn with WEB_CONCURRENCY workers and JSON logs.

SIGTERM: uvicorn stops accepting, lets in-flight requests finish (up to the graceful timeout),
and exits 0.
"""

from __future__ import annotations

import os
import signal
import socket
import sys

import uvicorn
from pydantic import ValidationError
from uvicorn.supervisors import Multiprocess

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


class NoDelayConfig(uvicorn.Config):
    """uvicorn's Config, whose shared listening socket (WEB_CONCURRENCY > 1) says it is TCP.

    uvicorn binds that socket with proto 0 and asyncio turns TCP_NODELAY on only for sockets
    whose proto is IPPROTO_TCP, so every response written in two segments (headers, then body)
    waited for the client's delayed ACK: about 40 ms per keep-alive request on Linux
    (https://github.com/Kludex/uvicorn/issues/3149). A single worker is not affected: asyncio
    creates that socket itself."""

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
    config = NoDelayConfig(
        "app.main:app",
        host=os.environ.get("BACKEND_HOST", "0.0.0.0"),  # noqa: S104 - a container listens on all interfaces
        port=settings.backend_port,
        workers=settings.web_concurrency,
        log_config=logging_config(settings.log_level),
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        server_header=False,
    )
    run(config)
    return 0


if __name__ == "__main__":
    sys.exit(main())
