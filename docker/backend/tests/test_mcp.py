"""The task tools over MCP (streamable HTTP at /mcp), bearer-authenticated, per user."""

from __future__ import annotations

import json
import time
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import User

ACCEPT = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def rpc(client: TestClient, user: User | None, method: str, params: dict[str, Any] | None = None) -> Any:
    headers = {**ACCEPT, **(user.headers if user else {})}
    payload = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params or {}}
    deadline = time.monotonic() + 60
    while True:  # /mcp answers 503 while the MCP SDK is still loading after startup
        r = client.post("/mcp", headers=headers, json=payload)
        if r.status_code != 503 or time.monotonic() > deadline:
            return r
        time.sleep(0.1)


def call(client: TestClient, user: User, tool: str, **args: Any) -> Any:
    r = rpc(client, user, "tools/call", {"name": tool, "arguments": args})
    assert r.status_code == 200, r.text
    result = r.json()["result"]
    return json.loads(result["content"][0]["text"])


def test_mcp_requires_a_valid_bearer_token(client: TestClient) -> None:
    assert rpc(client, None, "tools/list").status_code == 401
    assert client.post("/mcp", headers=ACCEPT, json={}).status_code == 401
    bad = client.post("/mcp", headers={**ACCEPT, "Authorization": "Bearer nope"}, json={})
    assert bad.status_code == 401


def test_mcp_initialize_and_list_the_five_tools(client: TestClient, alice: User) -> None:
    r = rpc(
        client,
        alice,
        "initialize",
        {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
    )
    assert r.status_code == 200, r.text
    assert r.json()["result"]["serverInfo"]["name"] == "todo-tasks"
    r = rpc(client, alice, "tools/list")
    names = {t["name"] for t in r.json()["result"]["tools"]}
    assert names == {"add_task", "list_tasks", "complete_task", "delete_task", "update_task"}


def test_mcp_tools_manage_the_token_users_tasks(client: TestClient, alice: User, bob: User) -> None:
    created = call(client, alice, "add_task", title="Write report", description="Q3")
    assert created["status"] == "created" and created["title"] == "Write report"
    tid = created["task_id"]
    assert call(client, alice, "list_tasks")["tasks"][0]["id"] == tid
    assert call(client, alice, "update_task", task_id=tid, title="Write Q3 report")["status"] == "updated"
    assert call(client, alice, "complete_task", task_id=tid) == {
        "task_id": tid,
        "status": "completed",
        "title": "Write Q3 report",
    }
    assert [t["id"] for t in call(client, alice, "list_tasks", status="completed")["tasks"]] == [tid]
    # bob cannot see or touch alice's task through MCP
    assert call(client, bob, "list_tasks") == {"tasks": []}
    assert call(client, bob, "delete_task", task_id=tid) == {"error": f"Task {tid} not found"}
    assert call(client, alice, "delete_task", task_id=tid)["status"] == "deleted"
    # the REST API sees the same data
    assert client.get(f"/api/{alice.id}/tasks", headers=alice.headers).json() == []
