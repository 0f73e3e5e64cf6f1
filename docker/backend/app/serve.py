"""`serve`: validate the settings, then run uvicorn with WEB_CONCURRENCY workers and JSON logs.

SIGTERM: uvicorn stops accepting, lets in-flight requests finish (up to the graceful timeout),
and exits 0.
"""

from __future__ import annotations

import os
import signal
import sys

import uvicorn
from pydantic import ValidationError

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
    uvicorn.run(
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
