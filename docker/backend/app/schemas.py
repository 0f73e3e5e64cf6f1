"""Request and response bodies (the Phase III API contract)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
# A task's limits, for every interface (REST, the chat tools, MCP) and the schema (app/models.py).
TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 1000


def storable(v: str) -> str:
    """PostgreSQL text cannot hold NUL, and only valid UTF-8 can be sent: reject both as 422."""
    if "\x00" in v:
        raise ValueError("must not contain NUL characters")
    try:
        v.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return v


Text = Annotated[str, AfterValidator(storable)]


def _strip_title(v: object) -> object:
    return v.strip() if isinstance(v, str) else v


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    email: str
    name: str | None
    created_at: datetime


class RegisterIn(BaseModel):
    email: Text = Field(min_length=3, max_length=320, pattern=EMAIL_PATTERN)
    password: Text = Field(min_length=8, max_length=128)
    name: Text | None = Field(default=None, max_length=100)


class LoginIn(BaseModel):
    email: Text = Field(min_length=3, max_length=320)
    password: Text = Field(min_length=1, max_length=128)


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    user: UserOut


class TaskCreate(BaseModel):
    title: Text = Field(min_length=1, max_length=TITLE_MAX_LENGTH)
    description: Text | None = Field(default=None, max_length=DESCRIPTION_MAX_LENGTH)

    _strip = field_validator("title", mode="before")(_strip_title)


class TaskUpdate(BaseModel):
    title: Text | None = Field(default=None, min_length=1, max_length=TITLE_MAX_LENGTH)
    description: Text | None = Field(default=None, max_length=DESCRIPTION_MAX_LENGTH)
    completed: bool | None = None

    _strip = field_validator("title", mode="before")(_strip_title)


class TaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    user_id: str
    title: str
    description: str | None
    completed: bool
    created_at: datetime
    updated_at: datetime


class ChatIn(BaseModel):
    conversation_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    message: Text = Field(min_length=1, max_length=4000)


class ToolCallOut(BaseModel):
    tool: str
    args: dict[str, Any]
    result: Any


class ChatOut(BaseModel):
    conversation_id: int
    response: str
    tool_calls: list[ToolCallOut]


class ConversationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    title: str | None
    created_at: datetime
    updated_at: datetime


class MessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    role: str
    content: str
    tool_calls: list[dict[str, Any]] | None
    created_at: datetime


class ErrorOut(BaseModel):
    detail: str
