"""An external agent's view: the official MCP Python client over streamable HTTP against the
real server, with the user's bearer token."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.conftest import Server, register


async def _session(url: str, token: str) -> dict[str, Any]:
    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):
        tools = await client.list_tools()
        added = await client.call_tool("add_task", {"title": "From an MCP agent"})
        listed = await client.call_tool("list_tasks", {"status": "pending"})
        missing = await client.call_tool("delete_task", {"task_id": 2_000_000_000})
        return {
            "tools": sorted(t.name for t in tools.tools),
            "added": json.loads(added.content[0].text),  # type: ignore[union-attr]
            "listed": json.loads(listed.content[0].text),  # type: ignore[union-attr]
            "missing": json.loads(missing.content[0].text),  # type: ignore[union-attr]
        }


def test_official_mcp_client_manages_the_users_tasks(live_server: Server) -> None:
    srv = live_server
    with httpx.Client(base_url=srv.base, timeout=10) as http:
        user = register(http)
        deadline = time.monotonic() + 60
        while http.post("/mcp", headers=user.headers, json={}).status_code == 503:  # SDK still loading
            assert time.monotonic() < deadline
            time.sleep(0.2)
        out = asyncio.run(_session(srv.base + "/mcp", user.token))
        assert out["tools"] == ["add_task", "complete_task", "delete_task", "list_tasks", "update_task"]
        assert out["added"]["status"] == "created" and out["added"]["title"] == "From an MCP agent"
        assert [t["title"] for t in out["listed"]["tasks"]] == ["From an MCP agent"]
        assert out["missing"] == {"error": "Task 2000000000 not found"}
        rest = http.get(f"/api/{user.id}/tasks", headers=user.headers).json()
        assert [t["id"] for t in rest] == [out["added"]["task_id"]]
