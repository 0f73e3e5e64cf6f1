"""The five task tools, shared by the chat agent and the MCP server (Phase III return shapes)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Task, utcnow

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
            "title": {"type": "string", "description": "Task title, 1-200 characters"},
            "description": {"type": "string", "description": "Optional details, up to 1000 characters"},
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
    if isinstance(value, bool):
        raise ToolError("task_id must be an integer")
    try:
        task_id = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ToolError("task_id must be an integer") from None
    return task_id


def _title(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ToolError("title must be a non-empty string")
    title = value.strip()
    if "\x00" in title:
        raise ToolError("title must not contain NUL characters")
    if len(title) > 200:
        raise ToolError("title must be at most 200 characters")
    return title


def _description(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ToolError("description must be a string")
    if len(value) > 1000:
        raise ToolError("description must be at most 1000 characters")
    if "\x00" in value:
        raise ToolError("description must not contain NUL characters")
    return value


def _get(db: Session, user_id: str, task_id: int) -> Task | None:
    if not -(2**31) <= task_id < 2**31:
        return None
    task = db.get(Task, task_id)
    return task if task is not None and task.user_id == user_id else None


def add_task(db: Session, user_id: str, title: object, description: object = None) -> dict[str, Any]:
    task = Task(user_id=user_id, title=_title(title), description=_description(description))
    db.add(task)
    db.flush()
    return {"task_id": task.id, "status": "created", "title": task.title}


def list_tasks(db: Session, user_id: str, status: object = "all") -> list[dict[str, Any]]:
    status = status or "all"
    if status not in ("all", "pending", "completed"):
        raise ToolError("status must be one of all, pending, completed")
    query = select(Task).where(Task.user_id == user_id)
    if status == "pending":
        query = query.where(Task.completed.is_(False))
    elif status == "completed":
        query = query.where(Task.completed.is_(True))
    tasks = db.scalars(query.order_by(Task.id)).all()
    return [{"id": t.id, "title": t.title, "description": t.description, "completed": t.completed} for t in tasks]


def complete_task(db: Session, user_id: str, task_id: object) -> dict[str, Any]:
    tid = _task_id(task_id)
    task = _get(db, user_id, tid)
    if task is None:
        return _not_found(tid)
    task.completed = True
    task.updated_at = utcnow()
    db.flush()
    return {"task_id": task.id, "status": "completed", "title": task.title}


def delete_task(db: Session, user_id: str, task_id: object) -> dict[str, Any]:
    tid = _task_id(task_id)
    task = _get(db, user_id, tid)
    if task is None:
        return _not_found(tid)
    title = task.title
    db.delete(task)
    db.flush()
    return {"task_id": tid, "status": "deleted", "title": title}


def update_task(
    db: Session, user_id: str, task_id: object, title: object = None, description: object = None
) -> dict[str, Any]:
    tid = _task_id(task_id)
    task = _get(db, user_id, tid)
    if task is None:
        return _not_found(tid)
    if title is None and description is None:
        raise ToolError("give a new title or description")
    if title is not None:
        task.title = _title(title)
    if description is not None:
        task.description = _description(description)
    task.updated_at = utcnow()
    db.flush()
    return {"task_id": task.id, "status": "updated", "title": task.title}


def call_tool(db: Session, user_id: str, name: str, args: dict[str, Any]) -> Any:
    """Run one tool by name with JSON arguments; bad arguments give {"error": ...}."""
    funcs = {
        "add_task": add_task,
        "list_tasks": list_tasks,
        "complete_task": complete_task,
        "delete_task": delete_task,
        "update_task": update_task,
    }
    func = funcs.get(name)
    if func is None:
        return {"error": f"Unknown tool {name}"}
    allowed = {
        "add_task": {"title", "description"},
        "list_tasks": {"status"},
        "complete_task": {"task_id"},
        "delete_task": {"task_id"},
        "update_task": {"task_id", "title", "description"},
    }[name]
    kwargs = {k: v for k, v in args.items() if k in allowed}
    try:
        return func(db, user_id, **kwargs)
    except ToolError as exc:
        return {"error": str(exc)}
    except TypeError:
        return {"error": f"Missing or invalid arguments for {name}"}
