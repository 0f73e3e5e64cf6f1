"""The five task tools over MCP (streamable HTTP at /mcp), authenticated by the same bearer JWT."""

from __future__ import annotations

import json
import logging
from typing import Any

import psycopg
import psycopg.errors
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from psycopg_pool import PoolTimeout
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from app.agent import tools
from app.core.config import Settings
from app.core.db import Database, DatabaseTimeout, DatabaseUnavailable
from app.core.metrics import Metrics
from app.core.security import RevokedTokens, token_claims

log = logging.getLogger("app.mcp")


def _bearer_subject(authorization: str | None, secret: str, revoked: RevokedTokens) -> str | None:
    """The subject of a valid bearer token that no logout ended, or None."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    claims = token_claims(token.strip(), secret)
    if claims is None or claims.token_id in revoked:
        return None
    return claims.subject


class BearerGate:
    """ASGI wrapper: 401 unless the request carries a valid bearer token."""

    def __init__(self, app: ASGIApp, secret: str, revoked: RevokedTokens) -> None:
        self.app = app
        self.secret = secret
        self.revoked = revoked

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
            if _bearer_subject(headers.get("authorization"), self.secret, self.revoked) is None:
                body = json.dumps({"detail": "Not authenticated"}).encode()
                await send(
                    {
                        "type": "http.response.start",
                        "status": 401,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"www-authenticate", b"Bearer"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


def build_mcp(
    settings: Settings, database: Database, revoked: RevokedTokens, metrics: Metrics | None = None
) -> tuple[MCPServer, ASGIApp]:
    """The MCP server and the bearer-gated ASGI app for /mcp (its session manager must be running)."""
    secret = settings.jwt_secret.get_secret_value()
    server = MCPServer(
        "todo-tasks",
        instructions="Manage the authenticated user's todo tasks.",
        warn_on_duplicate_tools=False,
    )

    def user_of(ctx: Context) -> str:
        headers = ctx.headers or {}
        subject = _bearer_subject(headers.get("authorization") or headers.get("Authorization"), secret, revoked)
        if subject is None:
            raise PermissionError("Not authenticated")
        return subject

    async def run(ctx: Context, name: str, args: dict[str, Any]) -> Any:
        user_id = user_of(ctx)
        # Every failure becomes a short error for the client: an exception would reach the SDK,
        # which logs it with its traceback, and the SQL parameters in it are the user's data.
        try:
            async with database.connection() as conn:
                result = await tools.call_tool(conn, user_id, name, args)
        except (DatabaseUnavailable, DatabaseTimeout, PoolTimeout, psycopg.OperationalError):
            result = {"error": "The database is unavailable; try again shortly"}
        except psycopg.errors.ForeignKeyViolation:
            result = {"error": "The account of this token no longer exists"}
        except psycopg.Error as exc:
            log.error("mcp tool failed", extra={"tool": name, "error": type(exc).__name__})
            result = {"error": f"{name} failed"}
        if metrics is not None:
            metrics.observe_tool_call(name, "mcp", result)
        return result

    @server.tool(description="Create a new task.")
    async def add_task(title: str, ctx: Context, description: str | None = None) -> dict[str, Any]:
        return await run(ctx, "add_task", {"title": title, "description": description})

    @server.tool(description="List tasks; status is all, pending or completed.")
    async def list_tasks(ctx: Context, status: str = "all") -> Any:
        result = await run(ctx, "list_tasks", {"status": status})
        return result if isinstance(result, dict) else {"tasks": result}

    @server.tool(description="Mark a task as completed.")
    async def complete_task(task_id: int, ctx: Context) -> dict[str, Any]:
        return await run(ctx, "complete_task", {"task_id": task_id})

    @server.tool(description="Delete a task.")
    async def delete_task(task_id: int, ctx: Context) -> dict[str, Any]:
        return await run(ctx, "delete_task", {"task_id": task_id})

    @server.tool(description="Change a task's title and/or description.")
    async def update_task(
        task_id: int, ctx: Context, title: str | None = None, description: str | None = None
    ) -> dict[str, Any]:
        return await run(ctx, "update_task", {"task_id": task_id, "title": title, "description": description})

    starlette_app = server.streamable_http_app(
        streamable_http_path="/mcp",
        stateless_http=True,
        json_response=True,
        # Authentication is the bearer token; Host/Origin checks would break in-cluster names.
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )
    inner = next(r for r in starlette_app.routes if isinstance(r, Route) and r.path == "/mcp")
    return server, BearerGate(inner.app, secret, revoked)
