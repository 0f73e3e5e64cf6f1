"""What the local provider says: results of tool calls, questions, and the questions waiting for
an answer (read back from the conversation history, since the server keeps no other state)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.agent.planner.match import TaskView

HELP = (
    "I manage your task list. For example:\n"
    '- "Add a task to buy groceries", "add \'Call mom\' with description: about Sunday", '
    '"add three tasks: milk, eggs, bread"\n'
    '- "What\'s pending?", "Show my completed tasks", "What\'s task 3 about?"\n'
    '- "Mark task 3 as done", "I called mom", "Done with the report"\n'
    '- "Delete the meeting task", "Remove tasks 4 and 5", "Remove all completed tasks"\n'
    '- "Rename task 1 to Call mom tonight", "Add a note to the report task: include the figures"'
)
GREETING = 'Hi! I can add, list, complete, rename and delete your tasks. What should I do? (Say "help" for examples.)'
UNSUPPORTED = {
    "reopen": "I can't mark a task as not done from the chat; untick it in the task list instead.",
    "dates": "Tasks here have no due dates or priorities, only a title and a description. "
    'I can put it in the description: "add a note to <task>: due Friday".',
    "alarms": "I can't set alarms or timed reminders; I can add a task for it.",
    "sharing": "I can't share or assign tasks; your list is yours alone.",
    "labels": "Tasks here have no labels or repeats, only a title and a description.",
}
OUT_OF_SCOPE = (
    "Sorry, I can only help with your task list, and I didn't understand that as a task request. "
    'Try "Add a task to buy groceries", "What\'s pending?" or "help".'
)


def task_ref(task_id: int, title: str) -> str:
    return f'task {task_id} "{title}"'


def sentence(text: str) -> str:
    """The text with its first letter upper-case (and nothing else changed)."""
    return text[:1].upper() + text[1:]


def listing(tasks: list[dict[str, Any]], status: str) -> str:
    label = {"all": "", "pending": "pending ", "completed": "completed "}.get(status, "")
    if not tasks:
        return f"You have no {label}tasks."
    noun = "task" if len(tasks) == 1 else "tasks"
    lines = [f"- [{'x' if t['completed'] else ' '}] {t['id']}: {t['title']}" for t in tasks]
    return f"You have {len(tasks)} {label}{noun}:\n" + "\n".join(lines)


def one_task(task: dict[str, Any]) -> str:
    state = "done" if task["completed"] else "pending"
    about = f"Description: {task['description']}" if task.get("description") else "It has no description."
    return f"{sentence(task_ref(task['id'], task['title']))} is {state}. {about}"


def result_line(tool: str, args: dict[str, Any], result: Any, before: dict[int, TaskView], focus: int | None) -> str:
    """One sentence per tool call: exactly what changed, by id and title (or why nothing did)."""
    if isinstance(result, dict) and "error" in result:
        return f"{result['error']}."
    if tool == "list_tasks":
        if focus is not None:
            match = [t for t in result if t["id"] == focus]
            return one_task(match[0]) if match else f"Task {focus} not found."
        return listing(result, args.get("status", "all"))
    ref = task_ref(result["task_id"], result["title"])
    if tool == "add_task":
        described = f' with the description "{args["description"]}"' if args.get("description") else ""
        return f"Added {ref}{described}."
    if tool == "complete_task":
        return f"Marked {ref} as done."
    if tool == "delete_task":
        return f"Deleted {ref}."
    old = before.get(result["task_id"])
    description = args.get("description")
    if "title" in args:
        line = f'Renamed task {result["task_id"]} "{old.title if old else result["title"]}" to "{result["title"]}"'
        if description is not None:
            line += f' and set its description to "{description}"' if description else " and cleared its description"
        return line + "."
    if description:
        return f'Set the description of {ref} to "{description}".'
    return f"Cleared the description of {ref}."


# ------------------------------------------------------------------ questions that wait for an answer
@dataclass(frozen=True)
class Pending:
    """A question the assistant asked: kind "confirm" (bulk), "which" (pick one) or "offer" (add this?)."""

    kind: str
    action: str  # delete, complete, rename, describe, add
    ids: tuple[int, ...] = ()
    value: str = ""


_CONFIRM_VERB = {
    "delete": ("Delete", "delete them", "leave them as they are"),
    "complete": ("Mark", "mark them done", "leave them as they are"),
}


def confirm_bulk(action: str, tasks: Sequence[TaskView], what: str) -> str:
    """ "Delete these 2 completed tasks?" with every task listed, and how to answer."""
    verb, yes, no = _CONFIRM_VERB[action]
    n = len(tasks)
    noun = "task" if n == 1 else "tasks"
    quantity = f"all {n}" if not what else f"the {n}"
    head = f"{verb} {quantity} {what}{noun}{' as done' if action == 'complete' else ''}?"
    lines = [f"- {task_ref(t.id, t.title)}" for t in tasks]
    yes = yes.replace("them", "it") if n == 1 else yes
    no = no.replace("them", "it").replace("they are", "it is") if n == 1 else no
    return "\n".join([head, *lines, f'Say "yes" to {yes}, or "no" to {no}.'])


def confirm_done(tasks: Sequence[TaskView]) -> str:
    """ "Should I mark task 5 "Call mom" as done?" for a statement that only probably means it."""
    listed = " and ".join(task_ref(t.id, t.title) for t in tasks)
    them, are = ("it", "it is") if len(tasks) == 1 else ("them", "they are")
    return f'Should I mark {listed} as done? Say "yes" to mark {them} done, or "no" to leave {them} as {are}.'


_WHICH_ACTION = {
    "delete": "delete",
    "complete": "mark as done",
    "rename": "rename to",
    "describe": "give the description",
}


def which_one(action: str, candidates: Sequence[TaskView], value: str = "") -> str:
    """ "Which one should I delete: task 1 "A" or task 2 "B"?" """
    verb = _WHICH_ACTION[action] + (f' "{value}"' if action in ("rename", "describe") else "")
    options = [task_ref(t.id, t.title) for t in candidates]
    listed = options[0] if len(options) == 1 else ", ".join(options[:-1]) + " or " + options[-1]
    return f"Which one should I {verb}: {listed}?"


def offer_add(title: str) -> str:
    return f'Should I add "{title}" as a new task? Say "yes" to add it.'


_PENDING_CONFIRM = re.compile(r'(?:^|\? )Say "yes" to (?P<verb>delete|mark) (?:them|it)\b', re.MULTILINE)
_PENDING_IDS = re.compile(r'^- task (\d+) "', re.MULTILINE)
_PENDING_WHICH = re.compile(
    r'Which one should I (?P<action>delete|mark as done|rename to|give the description)(?: "(?P<value>.*?)")?: '
    r'(?P<options>task \d+ ".*)\?$',
    re.DOTALL,
)
_PENDING_OFFER = re.compile(r'^Should I add "(?P<title>.*)" as a new task\? Say "yes" to add it\.$', re.DOTALL)


def pending_question(history: Sequence[dict[str, str]]) -> Pending | None:
    """The question the assistant's last message asked and that the user may be answering now."""
    if not history or history[-1].get("role") != "assistant":
        return None
    content = history[-1].get("content") or ""
    m = _PENDING_CONFIRM.search(content)
    if m:
        action = "delete" if m.group("verb") == "delete" else "complete"
        ids = _PENDING_IDS.findall(content) or re.findall(r'\btask (\d+) "', content.split("?")[0])
        return Pending("confirm", action, tuple(int(i) for i in ids))
    m = _PENDING_WHICH.search(content)
    if m:
        action = {v: k for k, v in _WHICH_ACTION.items()}[m.group("action")]
        options = tuple(int(i) for i in re.findall(r'task (\d+) "', m.group("options")))
        return Pending("which", action, options, m.group("value") or "")
    m = _PENDING_OFFER.match(content)
    if m:
        return Pending("offer", "add", (), m.group("title"))
    return None


def mentioned_ids(history: Sequence[dict[str, str]]) -> list[int]:
    """Task ids the assistant's last message named ("it" may refer to the only one)."""
    if not history or history[-1].get("role") != "assistant":
        return []
    return list(dict.fromkeys(int(i) for i in re.findall(r"\btask (\d+)\b", history[-1].get("content") or "")))
