"""The `local` chat provider: deterministic, offline, rule-based. Calls the same tools."""

from __future__ import annotations

import re
from typing import Any

from app.agent.base import AgentReply, Tools
from app.schemas import TITLE_MAX_LENGTH

HELP = (
    'I can manage your tasks. Try: "Add a task to buy groceries", "Show me all my tasks", '
    '"What\'s pending?", "Mark task 3 as complete", "Delete the meeting task" or '
    "\"Change task 1 to 'Call mom tonight'\"."
)

_STOPWORDS = {
    "the", "a", "an", "my", "task", "tasks", "todo", "to-do", "item", "one", "about", "for", "called",
    "named", "please", "that", "this", "with", "of", "to", "on", "in", "as",
}  # fmt: skip

_QUOTES = "\"'“”‘’`"
_NUM = r"#?(\d{1,10})"
_DONE_WORDS = r"(?:complete|completed|done|finished|finish)"

_ADD = [
    re.compile(
        r"^(?:please\s+)?(?:can you\s+|could you\s+)?(?:add|create|make|new|put)\s+(?:a\s+|an\s+)?(?:new\s+)?"
        r"(?:task|todo|to-do|item|reminder)s?\s*(?:to|for|:|-|called|named|that says)?\s*(?P<title>.+)$"
    ),
    re.compile(r"^(?:please\s+)?add\s+(?P<title>.+?)\s+to\s+(?:my\s+)?(?:task|todo|to-do)\s*list$"),
    re.compile(r"^(?:i\s+)?(?:need|have|want|must|should)\s+(?:to\s+)?remember\s+to\s+(?P<title>.+)$"),
    re.compile(r"^(?:please\s+)?(?:remind me|remember)\s+to\s+(?P<title>.+)$"),
    re.compile(r"^(?:please\s+)?add\s+(?P<title>.+)$"),
]
_UPDATE = [
    re.compile(
        r"^(?:please\s+)?(?:change|update|rename|edit|modify|set)\s+(?:the\s+)?(?:title\s+of\s+)?task\s+"
        + _NUM
        + r"(?:'s\s+title|\s+title)?\s*(?:to|into|as|:|=)\s*(?P<title>.+)$"
    ),
]
_COMPLETE_ID = [
    re.compile(r"(?:mark|set|flag)\s+task\s+" + _NUM + r"\s+(?:as\s+)?" + _DONE_WORDS),
    re.compile(r"^(?:please\s+)?(?:complete|finish|check off|tick off|close)\s+task\s+" + _NUM),
    re.compile(r"task\s+" + _NUM + r"\s+(?:is|was)\s+(?:now\s+)?" + _DONE_WORDS),
    re.compile(r"i\s+(?:have\s+)?(?:finished|completed|did|done)\s+task\s+" + _NUM),
]
_COMPLETE_TITLE = [
    re.compile(r"(?:mark|set|flag)\s+(?P<what>.+?)\s+(?:as\s+)?" + _DONE_WORDS + r"$"),
    re.compile(r"^(?:please\s+)?(?:complete|finish|check off|tick off)\s+(?P<what>.+)$"),
    re.compile(r"^i\s+(?:have\s+)?(?:finished|completed|did)\s+(?P<what>.+)$"),
]
_DELETE_ID = [
    re.compile(r"^(?:please\s+)?(?:delete|remove|cancel|drop|erase|get rid of)\s+task\s+" + _NUM),
]
_DELETE_TITLE = [
    re.compile(r"^(?:please\s+)?(?:delete|remove|cancel|drop|erase|get rid of)\s+(?P<what>.+)$"),
]
_LIST_HINT = re.compile(
    r"\b(show|list|display|see|view|what|what's|whats|which|any|get|tell|my tasks|to-?dos?|"
    r"pending|completed|done|finished|outstanding|remaining|left|open)\b"
)
_LIST_OBJECT = re.compile(
    r"\b(tasks?|to-?dos?|items?|pending|completed|done|finished|outstanding|remaining|left|open|"
    r"incomplete|unfinished|list)\b"
)


def _clean(text: str) -> str:
    return " ".join(text.strip().split())


def _title_from(raw: str) -> str:
    title = raw.strip().rstrip(".!?").strip()
    if len(title) >= 2 and title[0] in _QUOTES and title[-1] in _QUOTES:
        title = title[1:-1].strip()
    title = title.strip(_QUOTES).strip()
    return title[:1].upper() + title[1:] if title else title


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9']+", text.lower()) if w not in _STOPWORDS]


def _list_status(text: str) -> str:
    if re.search(r"\b(pending|outstanding|remaining|left|open|incomplete|unfinished|not done|to do|todo)\b", text):
        return "pending"
    if re.search(r"\b(completed|complete|done|finished)\b", text):
        return "completed"
    return "all"


class LocalProvider:
    """Understands a small set of phrasings; everything else gets a helpful answer."""

    def reply(self, tools: Tools, history: list[dict[str, str]], message: str) -> AgentReply:
        text = _clean(message).rstrip(".!?")
        low = text.lower()
        if len(low) != len(text):  # lower() changed the length (rare Unicode): match on one string
            text = low
        calls: list[dict[str, Any]] = []

        def tool(name: str, **args: Any) -> Any:
            result = tools.call(name, args)
            calls.append({"tool": name, "args": args, "result": result})
            return result

        if re.match(r"^(hi|hello|hey|help|\?|what can you do)\b", low):
            return AgentReply(HELP)

        for pat in _UPDATE:
            m = pat.search(low)
            if m:
                title = _title_from(text[m.start("title") : m.end("title")])
                if not title:
                    return AgentReply("What should the new title be?")
                result = tool("update_task", task_id=int(m.group(1)), title=title)
                return AgentReply(_say(result, 'Updated task {task_id} to "{title}".'), calls)

        for pat in _COMPLETE_ID:
            m = pat.search(low)
            if m:
                result = tool("complete_task", task_id=int(m.group(1)))
                return AgentReply(_say(result, 'Marked task {task_id} "{title}" as complete.'), calls)

        for pat in _DELETE_ID:
            m = pat.search(low)
            if m:
                result = tool("delete_task", task_id=int(m.group(1)))
                return AgentReply(_say(result, 'Deleted task {task_id} "{title}".'), calls)

        if not _is_question(low):
            for pat in _DELETE_TITLE:
                m = pat.search(low)
                if m:
                    return self._by_title(tools, m.group("what"), "delete_task", tool, calls)
            for pat in _COMPLETE_TITLE:
                m = pat.search(low)
                if m and not re.search(r"\btask\s+#?\d", low):
                    return self._by_title(tools, m.group("what"), "complete_task", tool, calls)
            for pat in _ADD:
                m = pat.search(low)
                if m:
                    title = _title_from(text[m.start("title") : m.end("title")])
                    if not title or not _words(title):
                        return AgentReply("What should the task say?")
                    result = tool("add_task", title=title[:TITLE_MAX_LENGTH])
                    return AgentReply(_say(result, 'Added task {task_id}: "{title}".'), calls)

        if _LIST_HINT.search(low) and _LIST_OBJECT.search(low):
            status = _list_status(low)
            tasks = tool("list_tasks", status=status)
            return AgentReply(_describe_tasks(tasks, status), calls)

        return AgentReply("Sorry, I didn't understand that. " + HELP)

    def _by_title(self, tools: Tools, what: str, tool_name: str, tool: Any, calls: list) -> AgentReply:
        words = _words(what)
        verb = "delete" if tool_name == "delete_task" else "complete"
        if not words:
            return AgentReply(f"Which task should I {verb}? Give its number or a word from its title.")
        candidates = [
            t
            for t in tools.list_tasks("all")
            if all(w in _words(t["title"]) or any(tw.startswith(w) for tw in _words(t["title"])) for w in words)
        ]
        if tool_name == "complete_task":
            candidates = [t for t in candidates if not t["completed"]] or candidates
        phrase = " ".join(words)
        if not candidates:
            return AgentReply(f'I couldn\'t find a task matching "{phrase}".')
        if len(candidates) > 1:
            options = "; ".join(f'task {t["id"]} "{t["title"]}"' for t in candidates[:10])
            return AgentReply(
                f'Several tasks match "{phrase}": {options}. Which one? Say e.g. "{verb} task {candidates[0]["id"]}".'
            )
        result = tool(tool_name, task_id=candidates[0]["id"])
        template = (
            'Deleted task {task_id} "{title}".' if verb == "delete" else 'Marked task {task_id} "{title}" as complete.'
        )
        return AgentReply(_say(result, template), calls)


def _is_question(low: str) -> bool:
    return bool(re.match(r"^(what|which|show|list|display|do i|did i|have i|how many|any)\b", low))


def _say(result: Any, template: str) -> str:
    if isinstance(result, dict) and "error" in result:
        return f"{result['error']}."
    return template.format(**result)


def _describe_tasks(tasks: Any, status: str) -> str:
    if not isinstance(tasks, list):
        return "I couldn't list your tasks."
    label = {"all": "", "pending": "pending ", "completed": "completed "}[status]
    if not tasks:
        return f"You have no {label}tasks."
    lines = [f"- [{'x' if t['completed'] else ' '}] {t['id']}: {t['title']}" for t in tasks]
    noun = "task" if len(tasks) == 1 else "tasks"
    return f"You have {len(tasks)} {label}{noun}:\n" + "\n".join(lines)
