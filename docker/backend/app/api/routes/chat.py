"""Chat: stateless (history comes from the database), and no connection held while the model thinks.

A chat request is three short steps:
1. one transaction: the conversation (new, or the user's own), its recent history, the user's
   message and the assistant's message, stored with a placeholder reply;
2. the provider, in a worker thread with no connection: each tool call it makes takes one for its
   own statements, and commits its effect together with its record in the assistant's message;
3. one transaction: the reply and the final list of tool calls into that message.
If step 3 never happens (the database or the process went away), the conversation still records
every change the tools made, under the placeholder. docs/backend.md says why.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, HTTPException, Path, Request, status

from app import crud
from app.agent.base import Provider
from app.agent.tools import ChatTools
from app.api.deps import UserId, database
from app.api.routes.tasks import AUTH_RESPONSES, Limit, Offset
from app.core.metrics import Metrics
from app.schemas import ChatIn, ChatOut, ConversationOut, ErrorOut, MessageOut, ToolCallOut

router = APIRouter(prefix="/api/{user_id}", tags=["chat"])

HISTORY_MESSAGES = 50
PENDING_REPLY = "(No reply was stored: the request did not complete.)"
CONV_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "No such conversation for this user"}
}
ConversationId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def storable_reply(text: str, max_chars: int) -> str:
    """A provider's reply as it can be stored and shown: valid UTF-8 without NUL (a model can
    send anything), at most max_chars (CHAT_MAX_REPLY_CHARS), saying so when it was cut."""
    text = text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    if len(text) > max_chars:
        text = text[:max_chars] + f"\n[reply cut at {max_chars} characters]"
    return text


def _not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, "Conversation not found")


@router.post("/chat", summary="Send a message to the task agent", responses={**AUTH_RESPONSES, **CONV_NOT_FOUND})
async def chat(user_id: UserId, body: ChatIn, request: Request) -> ChatOut:
    db = database(request)
    async with db.transaction() as conn:
        conversation_id = body.conversation_id
        if conversation_id is None:
            title = " ".join(body.message.split())[:80] or None
            conversation_id = await crud.create_conversation(conn, user_id, title)
            history: list[dict[str, str]] = []
        elif await crud.owns_conversation(conn, user_id, conversation_id):
            history = await crud.recent_messages(conn, conversation_id, HISTORY_MESSAGES)
        else:
            raise _not_found()
        await crud.add_message(conn, conversation_id, user_id, "user", body.message)
        reply_id = await crud.add_message(conn, conversation_id, user_id, "assistant", PENDING_REPLY)

    provider: Provider = request.app.state.provider
    metrics: Metrics = request.app.state.metrics
    tools = ChatTools(db, user_id, reply_id, metrics)
    start, outcome = time.perf_counter(), "error"
    try:
        reply = await anyio.to_thread.run_sync(provider.reply, tools, history, body.message)
        outcome = "error" if reply.failed else "ok"
    finally:
        metrics.observe_chat(request.app.state.settings.chat_provider, outcome, time.perf_counter() - start)
    response = storable_reply(reply.response, request.app.state.settings.chat_max_reply_chars)

    async with db.transaction() as conn:
        await crud.finish_message(conn, conversation_id, reply_id, response, reply.tool_calls)
    return ChatOut(
        conversation_id=conversation_id,
        response=response,
        tool_calls=[ToolCallOut(**c) for c in reply.tool_calls],
    )


@router.get("/conversations", summary="List conversations, newest first", responses=AUTH_RESPONSES)
async def list_conversations(
    user_id: UserId, request: Request, limit: Limit = crud.LIST_MAX, offset: Offset = 0
) -> list[ConversationOut]:
    async with database(request).connection() as conn:
        rows = await crud.list_conversations(conn, user_id, limit, offset)
    return [ConversationOut.model_validate(c) for c in rows]


@router.get(
    "/conversations/{conversation_id}/messages",
    summary="A conversation's messages, oldest first",
    responses={**AUTH_RESPONSES, **CONV_NOT_FOUND},
)
async def list_messages(
    user_id: UserId, conversation_id: ConversationId, request: Request, limit: Limit = crud.LIST_MAX, offset: Offset = 0
) -> list[MessageOut]:
    async with database(request).connection() as conn:
        if not await crud.owns_conversation(conn, user_id, conversation_id):
            raise _not_found()
        rows = await crud.list_messages(conn, conversation_id, limit, offset)
    return [MessageOut.model_validate(m) for m in rows]
