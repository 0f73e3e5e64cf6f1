"""The FastAPI application: routes, lifespan (DB reconnect loop, MCP), errors, request logs, metrics."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import itertools
import json
import logging
import sys
import time
import uuid
from collections.abc import AsyncIterator

import anyio
import psycopg
import psycopg.errors
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from psycopg_pool import PoolTimeout
from pydantic import ValidationError
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.agent.provider import make_provider
from app.api.routes import auth, chat, health, tasks
from app.core.config import Settings, app_version, describe_errors, get_settings
from app.core.db import RETRY_AFTER_SECONDS, Database, DatabaseTimeout, DatabaseUnavailable
from app.core.limits import BodyLimitMiddleware, LoginThrottle
from app.core.metrics import Metrics, MetricsMiddleware, metrics_endpoint
from app.core.security import RevokedTokens

log = logging.getLogger("app")
access_log = logging.getLogger("app.access")

DESCRIPTION = """The Todo Chatbot API: accounts, tasks, a chat agent that manages tasks in natural
language (conversation history in PostgreSQL) and the same task tools over MCP at `/mcp`.

Authenticate with `POST /api/auth/login` (or `/register`) and send `Authorization: Bearer <access_token>`;
the `user_id` in every path must be the token's user (403 otherwise)."""


class RequestLogMiddleware:
    """One JSON log line per request: request id, method, path, status, duration. Never headers or bodies."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # Unique ids without a getrandom() call per request (slow on some kernels/sandboxes):
        # a random 16-hex-digit prefix per process and a counter.
        self._prefix = uuid.uuid4().hex[:16]
        self._counter = itertools.count(1)

    def _next_id(self) -> str:
        return f"{self._prefix}{next(self._counter):016x}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        request_id = ""
        for key, value in scope["headers"]:
            if key == b"x-request-id":
                request_id = value.decode("latin-1")[:64]
                break
        request_id = request_id or self._next_id()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode("latin-1"))]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            path = scope["path"]
            if path not in ("/health", "/ready") or status >= 400:
                access_log.log(
                    logging.ERROR if status >= 500 else logging.INFO,
                    "request",
                    extra={
                        "request_id": request_id,
                        "method": scope["method"],
                        "path": path,
                        "status": status,
                        "duration_ms": round((time.perf_counter() - start) * 1000, 2),
                    },
                )


class LazyMCP:
    """/mcp: the MCP SDK takes seconds to import, so it loads after startup (503 until then)
    and /ready does not wait for it."""

    def __init__(self) -> None:
        self.app: ASGIApp | None = None

    async def serve(
        self, settings: Settings, database: Database, revoked: RevokedTokens, metrics: Metrics, stopping: asyncio.Event
    ) -> None:
        try:
            module = await asyncio.to_thread(importlib.import_module, "app.mcp_server")
            server, gated = module.build_mcp(settings, database, revoked, metrics)
            async with server.session_manager.run():
                self.app = gated
                gc.freeze()  # the MCP SDK's modules too (see create_app's lifespan)
                log.info("mcp ready")
                await stopping.wait()
        except Exception:
            log.exception("mcp failed to start")
        finally:
            self.app = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.app is not None:
            await self.app(scope, receive, send)
            return
        body = json.dumps({"detail": "MCP is starting, retry shortly"}).encode()
        headers = [(b"content-type", b"application/json"), (b"retry-after", b"1")]
        await send({"type": "http.response.start", "status": 503, "headers": headers})
        await send({"type": "http.response.body", "body": body})


# /docs: Swagger UI from a pinned version on the CDN, each file checked by the browser against
# its hash (Subresource Integrity), so a changed file is refused. The hashes are of the npm
# package swagger-ui-dist@5.32.1, which the CDN serves unchanged.
SWAGGER_UI = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5.32.1"
SWAGGER_JS_SRI = "sha384-SlhRXPBpOIwNajIYH/STl3rsa6P/qCR82bZVQk1pDmWr/+Mh9g/RhaUJ1JBmM99R"
SWAGGER_CSS_SRI = "sha384-F7uqyyVZgBbuOv+8gNy6ZGJB8Rf12CczPWm130Pxrau0cyZlj1Dl18cDOWpQSrGh"
DOCS_HTML = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Todo Chatbot API</title>
<link rel="stylesheet" href="{SWAGGER_UI}/swagger-ui.css" integrity="{SWAGGER_CSS_SRI}" crossorigin="anonymous">
</head><body><div id="swagger-ui"></div>
<script src="{SWAGGER_UI}/swagger-ui-bundle.js" integrity="{SWAGGER_JS_SRI}" crossorigin="anonymous"></script>
<script>SwaggerUIBundle({{url: "/openapi.json", dom_id: "#swagger-ui"}});</script>
</body></html>"""


def _validation_errors(exc: RequestValidationError) -> list[dict[str, object]]:
    """Where and what, never the input: it may be a password, huge, or not encodable."""
    return [
        {"loc": list(err.get("loc", ())), "msg": str(err.get("msg", "")), "type": str(err.get("type", ""))}
        for err in exc.errors()
    ]


def _unavailable() -> JSONResponse:
    return JSONResponse(
        {"detail": "Database unavailable, retry shortly"},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def _settings_or_exit() -> Settings:
    """The settings from the environment; on invalid ones, their names and reasons (never the
    values) on stderr and exit 3, uvicorn's startup failure, which also stops its supervisor."""
    try:
        return get_settings()
    except ValidationError as exc:
        print(describe_errors(exc), file=sys.stderr)
        sys.exit(3)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application; uvicorn calls it once per worker (`uvicorn app.main:create_app --factory`)."""
    settings = settings or _settings_or_exit()
    logging.getLogger().setLevel(settings.log_level.upper())
    database = Database(
        settings.sqlalchemy_url,
        settings.db_timeout_seconds,
        settings.db_pool_size,
        settings.db_statement_timeout_seconds,
    )
    revoked_tokens = RevokedTokens()
    metrics = Metrics(database)
    mcp = LazyMCP()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await database.open()
        loop_task = asyncio.create_task(database.reconnect_loop())
        revoked_task = asyncio.create_task(revoked_tokens.poll(database))
        stopping = asyncio.Event()
        mcp_task = asyncio.create_task(mcp.serve(settings, database, revoked_tokens, metrics, stopping))
        # Everything loaded so far lives as long as the process: out of the garbage collector's
        # sight, so a full collection under load scans what requests create, not ~150k objects
        # of modules and routes (a pause of 100-200 ms on this machine, for every request in flight).
        gc.freeze()
        log.info("started", extra={"chat_provider": settings.chat_provider})
        try:
            yield
        finally:
            stopping.set()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(mcp_task, 5)
            with contextlib.suppress(Exception):
                await database.close()
            for task in (loop_task, revoked_task):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            gc.unfreeze()  # collectable again (matters where apps come and go: tests)
            log.info("stopped")

    app = FastAPI(
        title="Todo Chatbot API",
        version=app_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        # No redirect for a trailing slash: Starlette builds its Location from the Host header,
        # which the client chooses (a redirect to any site, cache poisoning). 404 instead.
        redirect_slashes=False,
    )
    app.state.settings = settings
    app.state.db = database
    app.state.metrics = metrics
    app.state.provider = make_provider(settings, metrics)
    app.state.revoked_tokens = revoked_tokens
    app.state.login_throttle = LoginThrottle(settings.login_rate_per_client, settings.login_failures_per_account)
    app.state.hash_limiter = anyio.CapacityLimiter(settings.password_hash_concurrency)

    if settings.api_docs:

        @app.get("/docs", include_in_schema=False)
        async def docs() -> HTMLResponse:
            return HTMLResponse(DOCS_HTML)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _validation_errors(exc)}, status_code=422)

    @app.exception_handler(DatabaseUnavailable)
    async def _db_down(request: Request, exc: DatabaseUnavailable) -> JSONResponse:
        return _unavailable()

    @app.exception_handler(PoolTimeout)
    async def _pool_timeout(request: Request, exc: PoolTimeout) -> JSONResponse:
        # Every connection stayed busy (overload), or none could be opened (an outage): the
        # health check's own connection tells which, so the next requests get their 503 at once.
        log.warning("no database connection within the pool timeout", extra={"path": request.url.path})
        await database.check(timeout=1.0)
        return _unavailable()

    @app.exception_handler(DatabaseTimeout)
    async def _db_timeout(request: Request, exc: DatabaseTimeout) -> JSONResponse:
        log.warning("database work exceeded the statement timeout", extra={"path": request.url.path})
        await database.check(timeout=1.0)
        return _unavailable()

    @app.exception_handler(psycopg.Error)
    async def _psycopg(request: Request, exc: psycopg.Error) -> JSONResponse:
        if isinstance(exc, psycopg.errors.ForeignKeyViolation):
            # a valid token whose account no longer exists: the token is what is wrong
            return JSONResponse(
                {"detail": "The account of this token no longer exists"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        if isinstance(exc, psycopg.errors.QueryCanceled):
            # statement_timeout under overload: this request fails, the database is still up
            log.warning("database statement timed out", extra={"path": request.url.path})
            return _unavailable()
        if isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError):
            database.mark_down(type(exc).__name__)
            return _unavailable()
        log.error("database error", extra={"error": type(exc).__name__, "path": request.url.path})
        return JSONResponse({"detail": "Internal server error"}, status_code=500)

    app.include_router(health.router)
    app.include_router(auth.router)
    app.include_router(tasks.router)
    app.include_router(chat.router)
    app.router.routes.append(Route("/mcp", endpoint=mcp, include_in_schema=False))
    # Prometheus scrapes the backend directly: the frontend's proxy only forwards /api/... paths.
    app.router.routes.append(Route("/metrics", endpoint=metrics_endpoint, methods=["GET"], include_in_schema=False))
    app.add_middleware(
        BodyLimitMiddleware, max_bytes=settings.max_request_body_bytes, timeout=settings.body_read_timeout_seconds
    )
    app.add_middleware(MetricsMiddleware, metrics=metrics, routes=app.router.routes)
    app.add_middleware(RequestLogMiddleware)
    return app
