"""The six task endpoints. Another user's task is 404 (its existence is never revealed).

The hot path of the API, so these run on the event loop: one SQL statement on a pooled
autocommit psycopg connection (Database.connection), rows straight to JSON bytes with
pydantic-core. Validation, auth and the request log are the same as everywhere else; the
response models below are the documented contract (tests pin that the JSON matches them).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response, status
from pydantic_core import to_json

from app.api.deps import UserId
from app.core.db import Database
from app.schemas import ErrorOut, TaskCreate, TaskOut, TaskUpdate

router = APIRouter(prefix="/api/{user_id}/tasks", tags=["tasks"])

AUTH_RESPONSES: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorOut, "description": "Missing or invalid token"},
    403: {"model": ErrorOut, "description": "user_id is not the token's user"},
}
NOT_FOUND = {404: {"model": ErrorOut, "description": "No such task for this user"}}
TaskId = Annotated[int, Path(ge=1, le=2**31 - 1)]

FIELDS = ("id", "user_id", "title", "description", "completed", "created_at", "updated_at")
# Columns in FIELDS order. Constant statements (psycopg prepares each one per connection after a few uses).
_SELECT = "SELECT id, user_id, title, description, completed, created_at, updated_at FROM tasks"
_LIST = {
    "all": _SELECT + " WHERE user_id = %s ORDER BY id",
    "pending": _SELECT + " WHERE user_id = %s AND completed = false ORDER BY id",
    "completed": _SELECT + " WHERE user_id = %s AND completed = true ORDER BY id",
}
_GET = _SELECT + " WHERE id = %s AND user_id = %s"
_RETURNING = " RETURNING id, user_id, title, description, completed, created_at, updated_at"
_INSERT = (
    "INSERT INTO tasks (user_id, title, description, completed, created_at, updated_at)"  # noqa: S608 - constant
    " VALUES (%s, %s, %s, false, %s, %s)" + _RETURNING
)
# Only the fields the client sent change; a description sent as null clears it.
_UPDATE = (
    "UPDATE tasks SET title = COALESCE(%(title)s, title),"  # noqa: S608 - constant
    " description = CASE WHEN %(set_description)s THEN %(description)s ELSE description END,"
    " completed = COALESCE(%(completed)s, completed), updated_at = %(now)s"
    " WHERE id = %(id)s AND user_id = %(user_id)s" + _RETURNING
)
_TOGGLE = (
    "UPDATE tasks SET completed = NOT completed, updated_at = %s"  # noqa: S608 - constant
    " WHERE id = %s AND user_id = %s" + _RETURNING
)
_DELETE = "DELETE FROM tasks WHERE id = %s AND user_id = %s"


def task_json(row: Sequence[Any] | None) -> bytes:
    """One task row (columns in FIELDS order) as TaskOut's JSON; 404 when there is no row."""
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Task not found")
    return to_json(dict(zip(FIELDS, row, strict=True)))


def tasks_json(rows: Sequence[Sequence[Any]]) -> bytes:
    return to_json([dict(zip(FIELDS, row, strict=True)) for row in rows])


def _json(body: bytes, status_code: int = 200) -> Response:
    return Response(body, status_code=status_code, media_type="application/json")


def _db(request: Request) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


async def _one(request: Request, query: str, params: Sequence[Any] | dict[str, Any]) -> Sequence[Any] | None:
    async with _db(request).connection() as conn:
        cur = await conn.execute(query, params)
        return await cur.fetchone()


@router.get("", summary="List tasks", response_model=list[TaskOut], responses=AUTH_RESPONSES)
async def list_tasks(
    user_id: UserId,
    request: Request,
    status_filter: Annotated[Literal["all", "pending", "completed"], Query(alias="status")] = "all",
) -> Response:
    async with _db(request).connection() as conn:
        cur = await conn.execute(_LIST[status_filter], (user_id,))
        rows = await cur.fetchall()
    return _json(tasks_json(rows))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create a task",
    response_model=TaskOut,
    responses=AUTH_RESPONSES,
)
async def create_task(user_id: UserId, body: TaskCreate, request: Request) -> Response:
    now = datetime.now(UTC)
    row = await _one(request, _INSERT, (user_id, body.title, body.description, now, now))
    return _json(task_json(row), status.HTTP_201_CREATED)


@router.get("/{task_id}", summary="Get a task", response_model=TaskOut, responses={**AUTH_RESPONSES, **NOT_FOUND})
async def get_task(user_id: UserId, task_id: TaskId, request: Request) -> Response:
    return _json(task_json(await _one(request, _GET, (task_id, user_id))))


@router.put("/{task_id}", summary="Update a task", response_model=TaskOut, responses={**AUTH_RESPONSES, **NOT_FOUND})
async def update_task(user_id: UserId, task_id: TaskId, body: TaskUpdate, request: Request) -> Response:
    params = {
        "title": body.title,
        "set_description": "description" in body.model_fields_set,
        "description": body.description,
        "completed": body.completed,
        "now": datetime.now(UTC),
        "id": task_id,
        "user_id": user_id,
    }
    return _json(task_json(await _one(request, _UPDATE, params)))


@router.delete(
    "/{task_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a task",
    responses={**AUTH_RESPONSES, **NOT_FOUND},
)
async def delete_task(user_id: UserId, task_id: TaskId, request: Request) -> Response:
    async with _db(request).connection() as conn:
        cur = await conn.execute(_DELETE, (task_id, user_id))
        deleted = cur.rowcount
    if deleted == 0:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Task not found")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.patch(
    "/{task_id}/complete",
    summary="Toggle a task's completed flag",
    response_model=TaskOut,
    responses={**AUTH_RESPONSES, **NOT_FOUND},
)
async def toggle_complete(user_id: UserId, task_id: TaskId, request: Request) -> Response:
    return _json(task_json(await _one(request, _TOGGLE, (datetime.now(UTC), task_id, user_id))))
