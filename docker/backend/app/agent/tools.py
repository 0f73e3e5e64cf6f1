"""The five task tools, shared by the chat agent and the MCP server (Phase III return shapes),
on app/crud.py like the REST routes, with the same limits (app/schemas.py)."""

from __future__ import annotations

from typing import Any

import anyio.from_thread

from app import crud
from app.core.db import Connection, Database
from app.core.metrics import Metrics
from app.schemas import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH, storable

TOOL_NAMES = ("add_task", "list_tasks", "complete_task", "delete_task", "update_task")


def _function(name: str, description: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    parameters: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        parameters["required"] = required
    return {"type": "function", "function": {"name": name, "description": description, "parameters": parameters}}


_TASK_ID = {"task_id": {"type": "integer"}}

# JSON schemas for Chat Completions function calling.
TOOL_SPECS: list[dict[str, Any]] = [
    _function(
        "add_task",
        "Create a new task for the user.",
        {
            "title": {"type": "string", "description": f"Task title, 1-{TITLE_MAX_LENGTH} characters"},
            "description": {
                "type": "string",
                "description": f"Optional details, up to {DESCRIPTION_MAX_LENGTH} characters",
            },
        },
        ["title"],
    ),
    _function(
        "list_tasks",
        "List the user's tasks, optionally filtered by status.",
        {"status": {"type": "string", "enum": ["all", "pending", "completed"]}},
        [],
    ),
    _function("complete_task", "Mark a task as completed.", _TASK_ID, ["task_id"]),
    _function("delete_task", "Delete a task.", _TASK_ID, ["task_id"]),
    _function(
        "update_task",
        "Change a task's title and/or description.",
        {**_TASK_ID, "title": {"type": "string"}, "description": {"type": "string"}},
        ["task_id"],
    ),
]


class ToolError(Exception):
    """A tool refused its arguments; the message is safe to show to the user."""


def _not_found(task_id: object) -> dict[str, Any]:
    return {"error": f"Task {task_id} not found"}


def _task_id(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str | float):
        raise ToolError("task_id must be an integer")
    try:
        task_id = int(value)
    except (TypeError, ValueError):
        raise ToolError("task_id must be an integer") from None
    return task_id


def _text(name: str, value: str, max_length: int) -> str:
    if len(value) > max_length:
        raise ToolError(f"{name} must be at most {max_length} characters")
    try:
        return storable(value)
    except ValueError as exc:
        raise ToolError(f"{name} {exc}") from None


def _title(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ToolError("title must be a non-empty string")
    return _text("title", value.strip(), TITLE_MAX_LENGTH)


def _description(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ToolError("description must be a string")
    return _text("description", value, DESCRIPTION_MAX_LENGTH)


def _changed(row: crud.Row | None, task_id: int, status: str) -> dict[str, Any]:
    if row is None:
        return _not_found(task_id)
    return {"task_id": row["id"], "status": status, "title": row["title"]}


async def add_task(conn: Connection, user_id: str, title: object, description: object = None) -> dict[str, Any]:
    row = await crud.create_task(conn, user_id, _title(title), _description(description))
    return _changed(row, row["id"], "created")


async def list_tasks(conn: Connection, user_id: str, status: object = "all") -> list[dict[str, Any]]:
    status = status or "all"
    if status not in ("all", "pending", "completed"):
        raise ToolError("status must be one of all, pending, completed")
    rows = await crud.list_tasks(conn, user_id, status)
    return [{k: t[k] for k in ("id", "title", "description", "completed")} for t in rows]


async def complete_task(conn: Connection, user_id: str, task_id: object) -> dict[str, Any]:
    tid = _task_id(task_id)
    return _changed(await crud.update_task(conn, user_id, tid, completed=True), tid, "completed")


async def delete_task(conn: Connection, user_id: str, task_id: object) -> dict[str, Any]:
    tid = _task_id(task_id)
    return _changed(await crud.delete_task(conn, user_id, tid), tid, "deleted")


async def update_task(
    conn: Connection, user_id: str, task_id: object, title: object = None, description: object = None
) -> dict[str, Any]:
    tid = _task_id(task_id)
    if title is None and description is None:
        if await crud.get_task(conn, user_id, tid) is None:
            return _not_found(tid)
        raise ToolError("give a new title or description")
    new_title = None if title is None else _title(title)
    new_description = _description(description)
    row = await crud.update_task(
        conn, user_id, tid, title=new_title, description=new_description, set_description=description is not None
    )
    return _changed(row, tid, "updated")


_TOOLS = {
    "add_task": (add_task, {"title", "description"}),
    "list_tasks": (list_tasks, {"status"}),
    "complete_task": (complete_task, {"task_id"}),
    "delete_task": (delete_task, {"task_id"}),
    "update_task": (update_task, {"task_id", "title", "description"}),
}


async def call_tool(conn: Connection, user_id: str, name: str, args: dict[str, Any]) -> Any:
    """Run one tool by name with JSON arguments; bad arguments give {"error": ...}."""
    if name not in _TOOLS:
        return {"error": f"Unknown tool {name}"}
    func, allowed = _TOOLS[name]
    kwargs = {k: v for k, v in args.items() if k in allowed}
    try:
        return await func(conn, user_id, **kwargs)  # type: ignore[operator]
    except ToolError as exc:
        return {"error": str(exc)}
    except TypeError:
        return {"error": f"Missing or invalid arguments for {name}"}


class ChatTools:
    """The tools as a chat provider sees them (app/agent/base.py, Tools): bound to one user and to
    the assistant message the chat stores its reply in. Called from the provider's worker thread,
    they run on the event loop's pool, each taking a connection only for its own statements.

    A tool's effect and its record in that message's tool_calls commit in one transaction, so the
    stored conversation lists every change the chat made, even when the reply never comes."""

    def __init__(self, database: Database, user_id: str, message_id: int, metrics: Metrics | None = None) -> None:
        self.database = database
        self.user_id = user_id
        self.message_id = message_id
        self.metrics = metrics

    def call(self, name: str, args: dict[str, Any]) -> Any:
        return anyio.from_thread.run(self._call, name, args)

    def list_tasks(self, status: str = "all") -> list[dict[str, Any]]:
        return anyio.from_thread.run(self._list, status)

    async def _call(self, name: str, args: dict[str, Any]) -> Any:
        async with self.database.transaction() as conn:
            result = await call_tool(conn, self.user_id, name, args)
            await crud.record_tool_call(conn, self.message_id, {"tool": name, "args": args, "result": result})
        if self.metrics is not None:
            self.metrics.observe_tool_call(name, "chat", result)
        return result

    async def _list(self, status: str) -> list[dict[str, Any]]:
        async with self.database.connection() as conn:
            return await list_tasks(conn, self.user_id, status)
