"""The six task endpoints. Another user's task is 404 (its existence is never revealed).

Each is one statement of app/crud.py on a pooled autocommit connection; rows go straight to
JSON bytes with pydantic-core. The response models are the documented contract (a test pins
that the JSON matches them).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response, status
from pydantic_core import to_json

from app import crud
from app.api.deps import UserId, database
from app.schemas import ErrorOut, TaskCreate, TaskOut, TaskUpdate

router = APIRouter(prefix="/api/{user_id}/tasks", tags=["tasks"])

AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Missing or invalid token"},
    403: {"model": ErrorOut, "description": "user_id is not the token's user"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut, "description": "No such task for this user"}}
TaskId = Annotated[int, Path(ge=1, le=2**31 - 1)]
# A page of a list: at most LIST_MAX rows, after `offset` of them.
Limit = Annotated[int, Query(ge=1, le=crud.LIST_MAX, description=f"Rows to return, at most {crud.LIST_MAX}")]
Offset = Annotated[int, Query(ge=0, le=2**31 - 1, description="Rows to skip")]


def _json(body: Any, status_code: int = 200) -> Response:
    return Response(to_json(body), status_code=status_code, media_type="application/json")


def _found(row: crud.Row | None) -> crud.Row:
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Task not found")
    return row


@router.get("", summary="List tasks", response_model=list[TaskOut], responses=AUTH_RESPONSES)
async def list_tasks(
    user_id: UserId,
    request: Request,
    status_filter: Annotated[Literal["all", "pending", "completed"], Query(alias="status")] = "all",
    limit: Limit = crud.LIST_MAX,
    offset: Offset = 0,
) -> Response:
    async with database(request).connection() as conn:
        return _json(await crud.list_tasks(conn, user_id, status_filter, limit, offset))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create a task",
    response_model=TaskOut,
    responses=AUTH_RESPONSES,
)
async def create_task(user_id: UserId, body: TaskCreate, request: Request) -> Response:
    async with database(request).connection() as conn:
        row = await crud.create_task(conn, user_id, body.title, body.description)
    return _json(row, status.HTTP_201_CREATED)


@router.get("/{task_id}", summary="Get a task", response_model=TaskOut, responses={**AUTH_RESPONSES, **NOT_FOUND})
async def get_task(user_id: UserId, task_id: TaskId, request: Request) -> Response:
    async with database(request).connection() as conn:
        return _json(_found(await crud.get_task(conn, user_id, task_id)))


@router.put("/{task_id}", summary="Update a task", response_model=TaskOut, responses={**AUTH_RESPONSES, **NOT_FOUND})
async def update_task(user_id: UserId, task_id: TaskId, body: TaskUpdate, request: Request) -> Response:
    async with database(request).connection() as conn:
        row = await crud.update_task(
            conn,
            user_id,
            task_id,
            title=body.title,
            description=body.description,
            set_description="description" in body.model_fields_set,
            completed=body.completed,
        )
    return _json(_found(row))


@router.delete(
    "/{task_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a task",
    responses={**AUTH_RESPONSES, **NOT_FOUND},
)
async def delete_task(user_id: UserId, task_id: TaskId, request: Request) -> Response:
    async with database(request).connection() as conn:
        _found(await crud.delete_task(conn, user_id, task_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.patch(
    "/{task_id}/complete",
    summary="Toggle a task's completed flag",
    response_model=TaskOut,
    responses={**AUTH_RESPONSES, **NOT_FOUND},
)
async def toggle_complete(user_id: UserId, task_id: TaskId, request: Request) -> Response:
    async with database(request).connection() as conn:
        return _json(_found(await crud.toggle_task(conn, user_id, task_id)))
