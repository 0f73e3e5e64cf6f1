"""What a chat provider is given and what it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass
class AgentReply:
    response: str
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    # True when the provider could not produce a real answer (the model failed): the response
    # is then an apology, and the chat is counted as failed (todo_chat_requests).
    failed: bool = False


class Tools(Protocol):
    """The task tools for the chat's user (app/agent/tools.py, ChatTools). Providers run in a
    worker thread and hold no database connection: each call takes one only for its statements."""

    def call(self, name: str, args: dict[str, Any]) -> Any:
        """Run one tool (add_task, list_tasks, complete_task, delete_task, update_task) with JSON
        arguments; its effect is stored with the conversation. Bad arguments give {"error": ...}."""
        ...

    def list_tasks(self, status: str = "all") -> list[dict[str, Any]]:
        """The user's tasks, read without being a tool call of the reply (e.g. to find a task by title)."""
        ...


class Provider(Protocol):
    def reply(self, tools: Tools, history: list[dict[str, str]], message: str) -> AgentReply: ...
