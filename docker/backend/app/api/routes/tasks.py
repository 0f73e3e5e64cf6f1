"""The six task endpoints. Another user's task is 404 (its existence is never revealed)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Response, status
from pydantic import TypeAdapter
from sqlalchemy import select

from app.api.deps import DB, UserId
from app.models import Task, utcnow
from app.schemas import ErrorOut, TaskCreate, TaskOut, TaskUpdate

router = APIRouter(prefix="/api/{user_id}/tasks", tags=["tasks"])

AUTH_RESPONSES: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorOut, "description": "Missing or invalid token"},
    403: {"model": ErrorOut, "description": "user_id is not the token's user"},
}
NOT_FOUND = {404: {"model": ErrorOut, "description": "No such task for this user"}}
TaskId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _owned(db: DB, user_id: str, task_id: int) -> Task:
    task = db.get(Task, task_id)
    if task is None or task.user_id != user_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Task not found")
    return task


_TASK_COLUMNS = (Task.id, Task.user_id, Task.title, Task.description, Task.completed, Task.created_at, Task.updated_at)
_TASK_LIST = TypeAdapter(list[TaskOut])


@router.get("", summary="List tasks", response_model=list[TaskOut], responses=AUTH_RESPONSES)
def list_tasks(
    user_id: UserId,
    db: DB,
    status_filter: Annotated[Literal["all", "pending", "completed"], Query(alias="status")] = "all",
) -> Response:
    # The hot path: plain rows (no ORM objects) serialised once, straight to JSON bytes.
    query = select(*_TASK_COLUMNS).where(Task.user_id == user_id)
    if status_filter == "pending":
        query = query.where(Task.completed.is_(False))
    elif status_filter == "completed":
        query = query.where(Task.completed.is_(True))
    rows = [TaskOut(**row._mapping) for row in db.execute(query.order_by(Task.id))]
    return Response(_TASK_LIST.dump_json(rows), media_type="application/json")


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create a task", responses=AUTH_RESPONSES)
def create_task(user_id: UserId, body: TaskCreate, db: DB) -> TaskOut:
    task = Task(user_id=user_id, title=body.title, description=body.description)
    db.add(task)
    db.commit()
    return TaskOut.model_validate(task)


@router.get("/{task_id}", summary="Get a task", responses={**AUTH_RESPONSES, **NOT_FOUND})
def get_task(user_id: UserId, task_id: TaskId, db: DB) -> TaskOut:
    return TaskOut.model_validate(_owned(db, user_id, task_id))


@router.put("/{task_id}", summary="Update a task", responses={**AUTH_RESPONSES, **NOT_FOUND})
def update_task(user_id: UserId, task_id: TaskId, body: TaskUpdate, db: DB) -> TaskOut:
    task = _owned(db, user_id, task_id)
    fields = body.model_dump(exclude_unset=True)
    if fields.get("title") is None:
        fields.pop("title", None)
    if fields.get("completed") is None:
        fields.pop("completed", None)
    for key, value in fields.items():
        setattr(task, key, value)
    task.updated_at = utcnow()
    db.commit()
    return TaskOut.model_validate(task)


@router.delete(
    "/{task_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a task",
    responses={**AUTH_RESPONSES, **NOT_FOUND},
)
def delete_task(user_id: UserId, task_id: TaskId, db: DB) -> Response:
    db.delete(_owned(db, user_id, task_id))
    db.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.patch(
    "/{task_id}/complete", summary="Toggle a task's completed flag", responses={**AUTH_RESPONSES, **NOT_FOUND}
)
def toggle_complete(user_id: UserId, task_id: TaskId, db: DB) -> TaskOut:
    task = _owned(db, user_id, task_id)
    task.completed = not task.completed
    task.updated_at = utcnow()
    db.commit()
    return TaskOut.model_validate(task)
