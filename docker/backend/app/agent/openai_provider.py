"""The `openai` chat provider: Chat Completions with tool calls, a bounded tool loop.

Works against the official API or any OpenAI-compatible server (OPENAI_BASE_URL). When the
API fails the user gets a friendly reply and the failure is logged (never the key).
"""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING, Any, cast

import openai

from app.agent.base import AgentReply, Tools
from app.agent.tools import TOOL_SPECS
from app.core.metrics import Metrics

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletionMessageParam, ChatCompletionToolParam

log = logging.getLogger("app.agent.openai")

MAX_TOOL_ROUNDS = 5
HISTORY_LIMIT = 20
SYSTEM_PROMPT = (
    "You are a helpful assistant that manages the user's todo list. Use the tools to add, list, "
    "complete, delete and update tasks. Refer to tasks by their id and title. Be brief."
)
FAILURE_REPLY = "Sorry, the assistant is unavailable right now. Please try again in a moment."


# A model's tool arguments are untrusted input: bounded in size and depth, valid Unicode.
MAX_ARGUMENTS_CHARS = 16384
MAX_ARGUMENTS_DEPTH = 4


def _depth(value: Any, limit: int) -> int:
    """How deep a parsed JSON value nests, counted no further than limit + 1."""
    if limit < 0 or not isinstance(value, dict | list):
        return 0
    items = value.values() if isinstance(value, dict) else value
    return 1 + max((_depth(v, limit - 1) for v in items), default=0)


def parse_arguments(raw: str | None) -> dict[str, Any] | None:
    """A tool call's JSON arguments as an object, or None when they are not acceptable: not an
    object, too long, nested deeper than MAX_ARGUMENTS_DEPTH, or not storable as UTF-8 JSON."""
    raw = raw or "{}"
    if len(raw) > MAX_ARGUMENTS_CHARS:
        return None
    try:
        args = json.loads(raw)
        if not isinstance(args, dict) or _depth(args, MAX_ARGUMENTS_DEPTH) > MAX_ARGUMENTS_DEPTH:
            return None
        json.dumps(args, ensure_ascii=False).encode("utf-8")  # lone surrogates cannot be stored
    except (ValueError, RecursionError, UnicodeEncodeError):
        return None
    return args


class OpenAIProvider:
    def __init__(
        self,
        api_key: str,
        model: str,
        base_url: str | None,
        timeout: float,
        max_reply_chars: int,
        metrics: Metrics | None = None,
    ) -> None:
        self.model = model
        self.metrics = metrics
        # A reply is at most a few tokens per character; the server is asked to stop there.
        self.max_tokens = max(64, max_reply_chars // 2)
        self.client = openai.OpenAI(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=1)

    def reply(self, tools: Tools, history: list[dict[str, str]], message: str) -> AgentReply:
        messages: list[dict[str, Any]] = [{"role": "system", "content": SYSTEM_PROMPT}]
        messages += [{"role": m["role"], "content": m["content"]} for m in history[-HISTORY_LIMIT:]]
        messages.append({"role": "user", "content": message})
        calls: list[dict[str, Any]] = []
        try:
            for _ in range(MAX_TOOL_ROUNDS):
                completion = self._complete(messages)
                choice = completion.choices[0].message
                # Only function tools are offered (TOOL_SPECS), so only function calls come back.
                tool_calls = [tc for tc in choice.tool_calls or [] if tc.type == "function"]
                if not tool_calls:
                    return AgentReply(choice.content or "", calls)
                messages.append(
                    {
                        "role": "assistant",
                        "content": choice.content,
                        "tool_calls": [
                            {
                                "id": tc.id,
                                "type": "function",
                                "function": {"name": tc.function.name, "arguments": tc.function.arguments},
                            }
                            for tc in tool_calls
                        ],
                    }
                )
                for tc in tool_calls:
                    name = str(tc.function.name)[:64]
                    parsed = parse_arguments(tc.function.arguments)
                    if parsed is None:
                        args: dict[str, Any] = {}
                        result: Any = {"error": f"Invalid arguments for {name}"}
                    else:
                        args = parsed
                        result = tools.call(name, args)
                    calls.append({"tool": name, "args": args, "result": result})
                    messages.append({"role": "tool", "tool_call_id": tc.id, "content": json.dumps(result)})
            log.warning("tool loop limit reached", extra={"rounds": MAX_TOOL_ROUNDS})
            return AgentReply("I did what I could; please check your tasks.", calls)
        except openai.OpenAIError as exc:
            status = getattr(exc, "status_code", None)
            log.error("chat provider failed", extra={"error": type(exc).__name__, "status_code": status})
            return AgentReply(FAILURE_REPLY, calls, failed=True)
        except (IndexError, AttributeError, TypeError) as exc:
            log.error("chat provider returned an unexpected response", extra={"error": type(exc).__name__})
            return AgentReply(FAILURE_REPLY, calls, failed=True)

    def _complete(self, messages: list[dict[str, Any]]) -> Any:
        """One Chat Completions call, counted and timed (todo_model_calls, todo_model_call_duration_seconds)."""
        start = time.perf_counter()
        outcome = "error"
        try:
            completion = self.client.chat.completions.create(
                model=self.model,
                # plain dicts, shaped as the API's message and tool types say
                messages=cast("list[ChatCompletionMessageParam]", messages),
                tools=cast("list[ChatCompletionToolParam]", TOOL_SPECS),
                tool_choice="auto",
                max_tokens=self.max_tokens,
            )
            outcome = "ok"
            return completion
        finally:
            if self.metrics is not None:
                self.metrics.observe_model_call("openai", self.model, outcome, time.perf_counter() - start)
