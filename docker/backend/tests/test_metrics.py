"""GET /metrics: Prometheus counters and histograms move with the requests the app serves."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import closing

import yaml
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import REPO_ROOT, register
from tests.test_chat_openai import FakeOpenAI, completion, tool_call
from tests.test_mcp import call

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(client: TestClient) -> Samples:
    r = client.get("/metrics")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain; version=")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(r.text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """A sample's value; 0 when the series does not exist yet (a counter not incremented)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_request_counters_and_histograms_move_by_route_template_and_status(client: TestClient) -> None:
    user = register(client)
    before = scrape(client)
    assert client.post(f"/api/{user.id}/tasks", headers=user.headers, json={"title": "Buy milk"}).status_code == 201
    for _ in range(3):
        assert client.get(f"/api/{user.id}/tasks", headers=user.headers).status_code == 200
    assert client.get(f"/api/{user.id}/tasks/999999", headers=user.headers).status_code == 404
    assert client.get(f"/api/{user.id}/tasks").status_code == 401
    assert client.get("/no/such/path/" + user.id).status_code == 404
    after = scrape(client)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    tasks, one_task = "/api/{user_id}/tasks", "/api/{user_id}/tasks/{task_id}"
    assert moved("http_requests_total", method="POST", route=tasks, status="201") == 1
    assert moved("http_requests_total", method="GET", route=tasks, status="200") == 3
    assert moved("http_requests_total", method="GET", route=one_task, status="404") == 1
    assert moved("http_requests_total", method="GET", route=tasks, status="401") == 1
    assert moved("http_requests_total", method="GET", route="unmatched", status="404") == 1
    # the histogram counts the same requests, and their time
    assert moved("http_request_duration_seconds_count", method="GET", route=tasks, status="200") == 3
    assert moved("http_request_duration_seconds_bucket", method="GET", route=tasks, status="200", le="+Inf") == 3
    assert moved("http_request_duration_seconds_sum", method="GET", route=tasks, status="200") > 0
    # a label never holds a user's id: the route template does
    text = client.get("/metrics").text
    assert user.id not in text


def test_database_pool_gauges_come_from_psycopg_pool(app_factory: Callable[..., TestClient]) -> None:
    client = app_factory(db_pool_size=3)
    user = register(client)
    client.get(f"/api/{user.id}/tasks", headers=user.headers)
    samples = scrape(client)
    assert value(samples, "todo_db_pool_max_connections") == 3
    in_use = value(samples, "todo_db_pool_connections", state="in_use")
    idle = value(samples, "todo_db_pool_connections", state="idle")
    # nothing is running between requests, and the requests above opened at least one connection
    assert in_use == 0 and 1 <= idle <= 3
    assert value(samples, "todo_db_pool_requests_waiting") == 0
    assert value(samples, "todo_db_up") == 1
    client.app.state.db.mark_down("test")  # type: ignore[attr-defined]
    assert value(scrape(client), "todo_db_up") == 0


def test_chat_requests_and_tool_calls_are_counted_by_provider_and_tool(client: TestClient) -> None:
    user = register(client)
    before = scrape(client)
    r = client.post(f"/api/{user.id}/chat", headers=user.headers, json={"message": "add buy milk"})
    assert r.status_code == 200 and r.json()["tool_calls"][0]["tool"] == "add_task", r.text
    client.post(f"/api/{user.id}/chat", headers=user.headers, json={"message": "delete task 999999"})
    after = scrape(client)
    moved = {k: after[k] - before.get(k, 0.0) for k in after}
    assert moved[("todo_chat_requests_total", frozenset({("provider", "local"), ("outcome", "ok")}))] == 2
    assert moved[("todo_chat_duration_seconds_count", frozenset({("provider", "local")}))] == 2
    ok_add = frozenset({("tool", "add_task"), ("interface", "chat"), ("outcome", "ok")})
    assert moved[("todo_tool_calls_total", ok_add)] == 1
    # "Task 999999 not found" is an error result of delete_task
    missing = frozenset({("tool", "delete_task"), ("interface", "chat"), ("outcome", "error")})
    assert moved[("todo_tool_calls_total", missing)] == 1
    # the local provider calls no model
    assert not any(name.startswith("todo_model_call") for name, _ in moved)


def test_model_calls_are_counted_and_timed_and_failures_marked(app_factory: Callable[..., TestClient]) -> None:
    with closing(FakeOpenAI()) as fake:
        _model_calls_against(app_factory, fake)


def _model_calls_against(app_factory: Callable[..., TestClient], fake: FakeOpenAI) -> None:
    client = app_factory(
        chat_provider="openai",
        openai_api_key="sk-test-key-not-real",
        openai_base_url=fake.url,
        openai_model="fake-model",
        openai_timeout_seconds=1.0,
    )
    user = register(client)

    def reply(body: dict[str, object]) -> tuple[int, dict[str, object]]:
        if body["messages"][-1]["role"] == "user":  # type: ignore[index]
            calls = [tool_call("c1", "add_task", {"title": "Buy milk"}), tool_call("c2", "no_such_tool", {})]
            return 200, completion({"content": None, "tool_calls": calls}, "tool_calls")
        return 200, completion({"content": "Done."})

    fake.reply = reply
    assert client.post(f"/api/{user.id}/chat", headers=user.headers, json={"message": "add milk"}).status_code == 200
    fake.reply = lambda body: (400, {"error": {"message": "bad request", "type": "invalid_request_error"}})
    r = client.post(f"/api/{user.id}/chat", headers=user.headers, json={"message": "add bread"})
    assert r.status_code == 200 and r.json()["response"].startswith("Sorry"), r.text
    samples = scrape(client)
    assert value(samples, "todo_model_calls_total", provider="openai", model="fake-model", outcome="ok") == 2
    assert value(samples, "todo_model_calls_total", provider="openai", model="fake-model", outcome="error") == 1
    assert value(samples, "todo_model_call_duration_seconds_count", provider="openai", model="fake-model") == 3
    assert value(samples, "todo_chat_requests_total", provider="openai", outcome="ok") == 1
    assert value(samples, "todo_chat_requests_total", provider="openai", outcome="error") == 1
    assert value(samples, "todo_tool_calls_total", tool="add_task", interface="chat", outcome="ok") == 1
    # a name the model made up is counted, but never becomes a label value of its own
    assert value(samples, "todo_tool_calls_total", tool="unknown", interface="chat", outcome="error") == 1
    assert "no_such_tool" not in client.get("/metrics").text


def test_mcp_tool_calls_are_counted_with_their_interface(client: TestClient) -> None:
    user = register(client)
    call(client, user, "add_task", title="Write report")
    call(client, user, "complete_task", task_id=999999)
    samples = scrape(client)
    assert value(samples, "todo_tool_calls_total", tool="add_task", interface="mcp", outcome="ok") == 1
    assert value(samples, "todo_tool_calls_total", tool="complete_task", interface="mcp", outcome="error") == 1
    assert value(samples, "http_requests_total", method="POST", route="/mcp", status="200") >= 2


def test_openmetrics_when_the_scraper_asks_for_it(client: TestClient) -> None:
    r = client.get("/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"})
    assert r.headers["content-type"].startswith("application/openmetrics-text")
    assert r.text.rstrip().endswith("# EOF") and "# TYPE http_requests counter" in r.text


def test_metrics_are_not_in_the_openapi_schema_and_take_only_get(client: TestClient) -> None:
    assert "/metrics" not in client.get("/openapi.json").json()["paths"]
    assert client.post("/metrics").status_code == 405


# What the chart's alerting rules and Grafana dashboard query must exist: the metric names they
# use, checked against what this app exports (kube-state-metrics' and Prometheus' own excepted).
CHART = REPO_ROOT / "helm" / "todo-app"
FOREIGN_METRICS = {"up", "kube_deployment_status_replicas_available"}


def referenced_metrics(expr: str) -> set[str]:
    names = set(re.findall(r"\b([a-z_][a-z0-9_]*)(?=\{|\[)", expr))
    functions = {"rate", "sum", "histogram_quantile", "absent", "increase", "irate", "max", "avg", "by", "without"}
    return {n for n in names if n not in functions}


def chart_expressions() -> list[str]:
    """The rules template as one text (a metric name there is followed by `{` or `[` like in any
    PromQL; Helm's own `{{` never follows a name), and each dashboard query."""
    rules = (CHART / "templates" / "prometheusrule.yaml").read_text()
    exprs = ["\n".join(line for line in rules.splitlines() if not line.lstrip().startswith("#"))]
    dashboard = yaml.safe_load((CHART / "dashboards" / "todo-backend.json").read_text())
    exprs += [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    return exprs


def exported_names(client: TestClient) -> set[str]:
    """Every series name the app's registry can export, whether or not a labelled metric has a
    sample yet (the local provider makes no model call)."""
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}
    names: set[str] = set()
    for family in client.app.state.metrics.registry.collect():  # type: ignore[attr-defined]
        names |= {family.name + s for s in suffixes.get(family.type, ("",))}
    return names


def test_the_charts_rules_and_dashboard_query_only_metrics_the_app_exports(client: TestClient) -> None:
    exported = exported_names(client)
    assert {"todo_model_calls_total", "todo_db_pool_connections", "process_resident_memory_bytes"} <= exported
    exprs = chart_expressions()
    assert len(exprs) >= 8, exprs
    used: set[str] = set()
    for expr in exprs:
        used |= referenced_metrics(expr)
    missing = used - exported - FOREIGN_METRICS
    assert not missing, f"the chart queries metrics the backend does not export: {sorted(missing)}"
    assert {"http_requests_total", "http_request_duration_seconds_bucket", "todo_db_pool_connections"} <= used
