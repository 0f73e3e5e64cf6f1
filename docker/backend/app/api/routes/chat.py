"""Chat: stateless; history comes from the database and both messages are stored in one transaction."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request, status
from sqlalchemy import select

from app.agent.base import Provider
from app.api.deps import DB, UserId
from app.api.routes.tasks import AUTH_RESPONSES
from app.models import Conversation, Message, utcnow
from app.schemas import ChatIn, ChatOut, ConversationOut, ErrorOut, MessageOut, ToolCallOut

router = APIRouter(prefix="/api/{user_id}", tags=["chat"])

HISTORY_MESSAGES = 50
CONV_NOT_FOUND = {404: {"model": ErrorOut, "description": "No such conversation for this user"}}
ConversationId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _conversation(db: DB, user_id: str, conversation_id: int) -> Conversation:
    conv = db.get(Conversation, conversation_id)
    if conv is None or conv.user_id != user_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Conversation not found")
    return conv


@router.post("/chat", summary="Send a message to the task agent", responses={**AUTH_RESPONSES, **CONV_NOT_FOUND})
def chat(user_id: UserId, body: ChatIn, request: Request, db: DB) -> ChatOut:
    if body.conversation_id is not None:
        conv = _conversation(db, user_id, body.conversation_id)
        rows = db.scalars(
            select(Message)
            .where(Message.conversation_id == conv.id)
            .order_by(Message.id.desc())
            .limit(HISTORY_MESSAGES)
        ).all()
        history = [{"role": m.role, "content": m.content} for m in reversed(rows)]
    else:
        conv = Conversation(user_id=user_id, title=" ".join(body.message.split())[:80] or None)
        db.add(conv)
        db.flush()
        history = []

    provider: Provider = request.app.state.provider
    reply = provider.reply(db, user_id, history, body.message)

    db.add(Message(conversation_id=conv.id, user_id=user_id, role="user", content=body.message))
    db.add(
        Message(
            conversation_id=conv.id,
            user_id=user_id,
            role="assistant",
            content=reply.response,
            tool_calls=reply.tool_calls or None,
        )
    )
    conv.updated_at = utcnow()
    db.commit()
    return ChatOut(
        conversation_id=conv.id,
        response=reply.response,
        tool_calls=[ToolCallOut(**c) for c in reply.tool_calls],
    )


@router.get("/conversations", summary="List conversations, newest first", responses=AUTH_RESPONSES)
def list_conversations(user_id: UserId, db: DB) -> list[ConversationOut]:
    rows = db.scalars(
        select(Conversation).where(Conversation.user_id == user_id).order_by(Conversation.updated_at.desc())
    )
    return [ConversationOut.model_validate(c) for c in rows]


@router.get(
    "/conversations/{conversation_id}/messages",
    summary="A conversation's messages, oldest first",
    responses={**AUTH_RESPONSES, **CONV_NOT_FOUND},
)
def list_messages(user_id: UserId, conversation_id: ConversationId, db: DB) -> list[MessageOut]:
    conv = _conversation(db, user_id, conversation_id)
    rows = db.scalars(select(Message).where(Message.conversation_id == conv.id).order_by(Message.id))
    return [MessageOut.model_validate(m) for m in rows]
