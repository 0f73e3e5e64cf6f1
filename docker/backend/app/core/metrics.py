"""Prometheus metrics of one backend process, served at GET /metrics (prometheus-client).

Each application gets its own registry (no global state: tests build many apps in one process).
What is measured:
- every HTTP request, by method, route template (`/api/{user_id}/tasks`, never the user's id;
  `unmatched` for paths no route knows, so random URLs cannot grow the label set) and status:
  a counter and a latency histogram;
- the database pool (psycopg_pool's get_stats, read at scrape time): connections in use and
  idle, the pool's maximum, requests waiting for a connection; and whether the database is up;
- chat requests and their latency by provider; the model calls a provider makes and theirs;
- tool calls by tool name, interface (chat or MCP) and outcome;
- the process itself (CPU, memory, file descriptors: prometheus-client's ProcessCollector).

One uvicorn worker per container (the default everywhere) means one registry per scrape target.
With WEB_CONCURRENCY > 1 every worker keeps its own counts and a scrape reaches whichever worker
accepts the connection: docs/backend.md, "Metrics", says what that means.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Histogram, ProcessCollector
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from app.core.db import Database

# The five task tools (app/agent/tools.py); any other name a model invents is counted as "unknown".
KNOWN_TOOLS = frozenset(("add_task", "list_tasks", "complete_task", "delete_task", "update_task"))
UNMATCHED_ROUTE = "unmatched"
# Chat and model calls can take many seconds (a remote model, several tool rounds).
SLOW_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0)


class PoolCollector(Collector):
    """The database pool's state, read from psycopg_pool at each scrape (nothing is stored)."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def collect(self) -> Iterator[Metric]:
        stats = self.database.pool.get_stats()
        size = int(stats.get("pool_size", 0))
        available = int(stats.get("pool_available", 0))
        conns = GaugeMetricFamily(
            "todo_db_pool_connections", "Connections of the database pool by state", labels=["state"]
        )
        conns.add_metric(["in_use"], max(0, size - available))
        conns.add_metric(["idle"], available)
        yield conns
        yield GaugeMetricFamily(
            "todo_db_pool_max_connections",
            "Most connections the pool may open (DB_POOL_SIZE)",
            stats.get("pool_max", 0),
        )
        yield GaugeMetricFamily(
            "todo_db_pool_requests_waiting",
            "Requests waiting for a pooled connection",
            stats.get("requests_waiting", 0),
        )
        yield GaugeMetricFamily(
            "todo_db_up", "1 while the database answers, 0 while it is known to be down", int(self.database.up)
        )


class Metrics:
    """The registry and the instruments of one application."""

    def __init__(self, database: Database | None = None) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "http_requests",
            "HTTP requests by method, route template and status",
            ["method", "route", "status"],
            registry=r,
        )
        self.request_seconds = Histogram(
            "http_request_duration_seconds",
            "HTTP request latency by method, route template and status",
            ["method", "route", "status"],
            registry=r,
        )
        self.chats = Counter(
            "todo_chat_requests",
            "Chat messages answered by the agent, by provider and outcome",
            ["provider", "outcome"],
            registry=r,
        )
        self.chat_seconds = Histogram(
            "todo_chat_duration_seconds",
            "Time the chat agent took for one message, by provider",
            ["provider"],
            buckets=SLOW_BUCKETS,
            registry=r,
        )
        self.model_calls = Counter(
            "todo_model_calls",
            "Calls to the chat model, by provider, model and outcome",
            ["provider", "model", "outcome"],
            registry=r,
        )
        self.model_seconds = Histogram(
            "todo_model_call_duration_seconds",
            "Latency of one call to the chat model",
            ["provider", "model"],
            buckets=SLOW_BUCKETS,
            registry=r,
        )
        self.tool_calls = Counter(
            "todo_tool_calls",
            "Task tool calls by tool, interface (chat, mcp) and outcome (ok, error)",
            ["tool", "interface", "outcome"],
            registry=r,
        )
        ProcessCollector(registry=r)
        if database is not None:
            r.register(PoolCollector(database))

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        labels = (method, route, str(status))
        self.requests.labels(*labels).inc()
        self.request_seconds.labels(*labels).observe(seconds)

    def observe_chat(self, provider: str, outcome: str, seconds: float) -> None:
        self.chats.labels(provider, outcome).inc()
        self.chat_seconds.labels(provider).observe(seconds)

    def observe_model_call(self, provider: str, model: str, outcome: str, seconds: float) -> None:
        self.model_calls.labels(provider, model, outcome).inc()
        self.model_seconds.labels(provider, model).observe(seconds)

    def observe_tool_call(self, tool: str, interface: str, result: Any) -> None:
        name = tool if tool in KNOWN_TOOLS else "unknown"
        outcome = "error" if isinstance(result, dict) and "error" in result else "ok"
        self.tool_calls.labels(name, interface, outcome).inc()

    def exposition(self, accept: str) -> tuple[bytes, str]:
        """The registry in the format the scraper asks for (Prometheus text, or OpenMetrics)."""
        encoder, content_type = choose_encoder(accept)
        return encoder(self.registry), content_type


def route_template(routes: Sequence[BaseRoute], scope: Scope) -> str:
    """The template of the route that handles the request (`/api/{user_id}/tasks`), never the raw
    path: the router's choice when it records one, else the first route that matches (as the
    router picks it; a route that matches the path but not the method answers 405)."""
    path = getattr(scope.get("route"), "path", None)
    if isinstance(path, str):
        return path
    partial = None
    for route in routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return str(getattr(route, "path", UNMATCHED_ROUTE))
        if match is Match.PARTIAL and partial is None:
            partial = str(getattr(route, "path", UNMATCHED_ROUTE))
    return partial or UNMATCHED_ROUTE


class MetricsMiddleware:
    """Counts and times every HTTP request by method, route template and status."""

    def __init__(self, app: ASGIApp, metrics: Metrics, routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.metrics = metrics
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            self.metrics.observe_request(
                scope["method"], route_template(self.routes, scope), status, time.perf_counter() - start
            )


async def metrics_endpoint(request: Request) -> Response:
    """GET /metrics: this process's registry, in the format the Accept header asks for."""
    metrics: Metrics = request.app.state.metrics
    body, content_type = metrics.exposition(request.headers.get("accept", ""))
    return Response(body, headers={"Content-Type": content_type})
