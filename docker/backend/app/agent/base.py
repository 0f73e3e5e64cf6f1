"""What a chat provider returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session


@dataclass
class AgentReply:
    response: str
    tool_calls: list[dict[str, Any]] = field(default_factory=list)


class Provider(Protocol):
    def reply(self, db: Session, user_id: str, history: list[dict[str, str]], message: str) -> AgentReply: ...
