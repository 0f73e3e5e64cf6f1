"""Every read and write of the app, one function each: the REST routes, the chat (and its tools)
and MCP call these, never SQL of their own.

Each takes a connection from `Database.connection()` (autocommit: one statement, one round
trip) or `Database.transaction()` (several statements that commit together), so the caller
decides what commits together and how long it holds a connection. Rows are dicts (the pool's
row factory). A task id outside PostgreSQL's integer range is simply not found.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from psycopg.types.json import Jsonb

from app.core.db import Connection

Row = dict[str, Any]
Status = Literal["all", "pending", "completed"]

# A task's columns, in every statement, in TaskOut's order: id, user_id, title, description,
# completed, created_at, updated_at. Constant statements (psycopg prepares each one per
# connection after a few uses).
_LIST = {
    "all": "SELECT id, user_id, title, description, completed, created_at, updated_at FROM tasks"
    " WHERE user_id = %s ORDER BY id LIMIT %s OFFSET %s",
    "pending": "SELECT id, user_id, title, description, completed, created_at, updated_at FROM tasks"
    " WHERE user_id = %s AND NOT completed ORDER BY id LIMIT %s OFFSET %s",
    "completed": "SELECT id, user_id, title, description, completed, created_at, updated_at FROM tasks"
    " WHERE user_id = %s AND completed ORDER BY id LIMIT %s OFFSET %s",
}
# The most rows one list request returns (tasks, conversations, messages): a page.
LIST_MAX = 500
_INT_MAX = 2**31 - 1


def _valid_id(task_id: int) -> bool:
    return 1 <= task_id <= _INT_MAX


async def _one(conn: Connection, query: str, params: Any) -> Row | None:
    cur = await conn.execute(query, params)
    return await cur.fetchone()


# --- tasks ---------------------------------------------------------------------------------------


async def list_tasks(
    conn: Connection, user_id: str, status: Status = "all", limit: int = LIST_MAX, offset: int = 0
) -> list[Row]:
    """At most `limit` tasks (never more than LIST_MAX) after the first `offset`, by id."""
    cur = await conn.execute(_LIST[status], (user_id, min(limit, LIST_MAX), offset))
    return await cur.fetchall()


async def get_task(conn: Connection, user_id: str, task_id: int) -> Row | None:
    if not _valid_id(task_id):
        return None
    return await _one(
        conn,
        "SELECT id, user_id, title, description, completed, created_at, updated_at FROM tasks"
        " WHERE id = %s AND user_id = %s",
        (task_id, user_id),
    )


async def create_task(conn: Connection, user_id: str, title: str, description: str | None) -> Row:
    row = await _one(
        conn,
        "INSERT INTO tasks (user_id, title, description) VALUES (%s, %s, %s)"
        " RETURNING id, user_id, title, description, completed, created_at, updated_at",
        (user_id, title, description),
    )
    assert row is not None  # INSERT ... RETURNING returns its row
    return row


async def update_task(
    conn: Connection,
    user_id: str,
    task_id: int,
    *,
    title: str | None = None,
    description: str | None = None,
    set_description: bool = False,
    completed: bool | None = None,
) -> Row | None:
    """Changes only what is given: a title or completed flag of None is kept; the description
    changes when `set_description` is true (None then clears it)."""
    if not _valid_id(task_id):
        return None
    return await _one(
        conn,
        "UPDATE tasks SET title = COALESCE(%(title)s, title),"
        " description = CASE WHEN %(set_description)s THEN %(description)s ELSE description END,"
        " completed = COALESCE(%(completed)s, completed), updated_at = now()"
        " WHERE id = %(id)s AND user_id = %(user_id)s"
        " RETURNING id, user_id, title, description, completed, created_at, updated_at",
        {
            "title": title,
            "set_description": set_description,
            "description": description,
            "completed": completed,
            "id": task_id,
            "user_id": user_id,
        },
    )


async def toggle_task(conn: Connection, user_id: str, task_id: int) -> Row | None:
    if not _valid_id(task_id):
        return None
    return await _one(
        conn,
        "UPDATE tasks SET completed = NOT completed, updated_at = now()"
        " WHERE id = %s AND user_id = %s"
        " RETURNING id, user_id, title, description, completed, created_at, updated_at",
        (task_id, user_id),
    )


async def delete_task(conn: Connection, user_id: str, task_id: int) -> Row | None:
    """The deleted task's id and title, or None when the user has no such task."""
    if not _valid_id(task_id):
        return None
    return await _one(conn, "DELETE FROM tasks WHERE id = %s AND user_id = %s RETURNING id, title", (task_id, user_id))


# --- users ---------------------------------------------------------------------------------------


async def get_user_by_email(conn: Connection, email: str) -> Row | None:
    return await _one(conn, "SELECT id, email, name, password_hash, created_at FROM users WHERE email = %s", (email,))


async def set_password_hash(conn: Connection, user_id: str, password_hash: str) -> None:
    await conn.execute("UPDATE users SET password_hash = %s WHERE id = %s", (password_hash, user_id))


async def create_user(conn: Connection, email: str, name: str | None, password_hash: str) -> Row | None:
    """The new user, or None when the email is taken."""
    return await _one(
        conn,
        "INSERT INTO users (id, email, name, password_hash) VALUES (%s, %s, %s, %s)"
        " ON CONFLICT (email) DO NOTHING RETURNING id, email, name, password_hash, created_at",
        (uuid.uuid4().hex, email, name, password_hash),
    )


# --- sessions ended by logout ------------------------------------------------------------------------


async def revoke_token(conn: Connection, jti: str, user_id: str, expires: float) -> None:
    """Records a token ended by logout (until its expiry) and forgets the ones already expired."""
    await conn.execute(
        "INSERT INTO revoked_tokens (jti, user_id, expires_at) VALUES (%s, %s, to_timestamp(%s))"
        " ON CONFLICT (jti) DO NOTHING",
        (jti, user_id, expires),
    )
    await conn.execute("DELETE FROM revoked_tokens WHERE expires_at < now() - interval '1 minute'")


async def revoked_since(conn: Connection, last_id: int) -> list[Row]:
    """Unexpired revoked tokens recorded after row `last_id`, oldest first."""
    cur = await conn.execute(
        "SELECT id, jti, expires_at FROM revoked_tokens WHERE id > %s AND expires_at > now() ORDER BY id",
        (last_id,),
    )
    return await cur.fetchall()


# --- conversations and messages ---------------------------------------------------------------------


async def create_conversation(conn: Connection, user_id: str, title: str | None) -> int:
    row = await _one(conn, "INSERT INTO conversations (user_id, title) VALUES (%s, %s) RETURNING id", (user_id, title))
    assert row is not None
    return int(row["id"])


async def owns_conversation(conn: Connection, user_id: str, conversation_id: int) -> bool:
    row = await _one(conn, "SELECT 1 FROM conversations WHERE id = %s AND user_id = %s", (conversation_id, user_id))
    return row is not None


async def recent_messages(conn: Connection, conversation_id: int, limit: int) -> list[dict[str, str]]:
    """The last `limit` messages' role and content, oldest first."""
    cur = await conn.execute(
        "SELECT role, content FROM (SELECT id, role, content FROM messages WHERE conversation_id = %s"
        " ORDER BY id DESC LIMIT %s) AS recent ORDER BY id",
        (conversation_id, limit),
    )
    return [{"role": r["role"], "content": r["content"]} for r in await cur.fetchall()]


async def add_message(conn: Connection, conversation_id: int, user_id: str, role: str, content: str) -> int:
    row = await _one(
        conn,
        "INSERT INTO messages (conversation_id, user_id, role, content) VALUES (%s, %s, %s, %s) RETURNING id",
        (conversation_id, user_id, role, content),
    )
    assert row is not None
    return int(row["id"])


async def record_tool_call(conn: Connection, message_id: int, call: dict[str, Any]) -> None:
    """Appends one tool call (tool, args, result) to a message's tool_calls."""
    await conn.execute(
        "UPDATE messages SET tool_calls = COALESCE(tool_calls, '[]'::jsonb) || %s WHERE id = %s",
        (Jsonb([call]), message_id),
    )


async def finish_message(
    conn: Connection, conversation_id: int, message_id: int, content: str, tool_calls: list[dict[str, Any]] | None
) -> None:
    """Sets a message's final content and tool calls and marks its conversation as updated."""
    await conn.execute(
        "UPDATE messages SET content = %s, tool_calls = %s WHERE id = %s",
        (content, Jsonb(tool_calls) if tool_calls else None, message_id),
    )
    await conn.execute("UPDATE conversations SET updated_at = now() WHERE id = %s", (conversation_id,))


async def list_conversations(conn: Connection, user_id: str, limit: int = LIST_MAX, offset: int = 0) -> list[Row]:
    cur = await conn.execute(
        "SELECT id, title, created_at, updated_at FROM conversations WHERE user_id = %s"
        " ORDER BY updated_at DESC, id LIMIT %s OFFSET %s",
        (user_id, min(limit, LIST_MAX), offset),
    )
    return await cur.fetchall()


async def list_messages(conn: Connection, conversation_id: int, limit: int = LIST_MAX, offset: int = 0) -> list[Row]:
    cur = await conn.execute(
        "SELECT id, role, content, tool_calls, created_at FROM messages WHERE conversation_id = %s"
        " ORDER BY id LIMIT %s OFFSET %s",
        (conversation_id, min(limit, LIST_MAX), offset),
    )
    return await cur.fetchall()
