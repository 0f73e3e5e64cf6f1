"""Judges one chat turn: the task list before and after, the reply, and what the case expected.

Pure (no database, no HTTP). Any change that was not expected is a wrong write; anything else
that falls short of the expectation (nothing done, no question asked, a reply that does not name
what changed) is a miss.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tests.chat_eval.cases import Expect

RIGHT = "right"
WRONG_WRITE = "wrong write"
MISS = "miss"
_SEVERITY = {RIGHT: 0, MISS: 1, WRONG_WRITE: 2}
_EDGES = "\"'“”‘’` .!?,;:"


@dataclass(frozen=True)
class TaskState:
    title: str
    description: str | None
    completed: bool


Snapshot = dict[int, TaskState]


@dataclass
class Verdict:
    outcome: str
    reasons: list[str] = field(default_factory=list)


def worst(outcomes: list[str]) -> str:
    return max(outcomes, key=_SEVERITY.__getitem__, default=RIGHT)


def norm(text: str | None) -> str:
    """Case, surrounding quotes, trailing punctuation and repeated spaces do not count."""
    return " ".join((text or "").split()).strip(_EDGES).casefold()


def mentions(reply: str, text: str) -> bool:
    """Whether the reply contains text; a number must appear as a whole number."""
    if text.isdigit():
        return re.search(rf"(?<!\d){text}(?!\d)", reply) is not None
    return norm(text) in " ".join(reply.split()).casefold()


def _quote(text: str | None) -> str:
    return repr(text or "")


def judge(
    expect: Expect,
    seed_ids: list[int],
    before: Snapshot,
    after: Snapshot,
    reply: str,
    tool_calls: list[dict[str, Any]],
) -> Verdict:
    """seed_ids[n - 1] is the id of the case's seed task n (what the expectation refers to)."""
    wrong: list[str] = []
    miss: list[str] = []
    named: list[str] = []  # titles of what changed, which the reply must name
    number = {tid: n for n, tid in enumerate(seed_ids, 1)}
    want_deleted = {seed_ids[n - 1] for n in expect.delete}
    want_completed = {seed_ids[n - 1] for n in expect.complete}

    for tid, old in before.items():
        new = after.get(tid)
        if new is None:
            if tid in want_deleted:
                named.append(old.title)
            else:
                wrong.append(f"deleted task {tid} {_quote(old.title)}")
            continue
        if tid in want_deleted:
            miss.append(f"did not delete task {tid} {_quote(old.title)}")
        change = expect.update.get(number.get(tid, 0))
        changed = False

        want_done = old.completed or tid in want_completed
        if new.completed != old.completed:
            changed = True
            if new.completed != want_done:
                wrong.append(f"{'completed' if new.completed else 'reopened'} task {tid} {_quote(old.title)}")
        elif new.completed != want_done:
            miss.append(f"did not complete task {tid} {_quote(old.title)}")

        titles = change.titles if change and change.titles else (old.title,)
        if norm(new.title) != norm(old.title):
            changed = True
            if norm(new.title) not in {norm(t) for t in titles}:
                expected = f" (expected {_quote(titles[0])})" if change and change.titles else ""
                wrong.append(f"renamed task {tid} {_quote(old.title)} to {_quote(new.title)}{expected}")
        elif norm(new.title) not in {norm(t) for t in titles}:
            miss.append(f"did not rename task {tid} {_quote(old.title)} to {_quote(titles[0])}")

        want_desc = change.description if change and change.description is not None else old.description
        if norm(new.description) != norm(old.description):
            changed = True
            if norm(new.description) != norm(want_desc):
                expected = f" (expected {_quote(want_desc)})" if change and change.description is not None else ""
                wrong.append(f"set the description of task {tid} to {_quote(new.description)}{expected}")
        elif norm(new.description) != norm(want_desc):
            miss.append(f"did not set the description of task {tid} to {_quote(want_desc)}")
        if changed:
            named.append(new.title)

    waiting = list(expect.add)
    for tid in sorted(set(after) - set(before)):
        task = after[tid]
        hit = next(
            (
                w
                for w in waiting
                if norm(task.title) in {norm(t) for t in w.titles} and norm(task.description) == norm(w.description)
            ),
            None,
        )
        if hit is None or task.completed:
            desc = f" with description {_quote(task.description)}" if task.description else ""
            wrong.append(f"added task {tid} {_quote(task.title)}{desc}{' already completed' if task.completed else ''}")
            continue
        waiting.remove(hit)
        named.append(task.title)
    miss += [f"did not add {_quote(w.titles[0])}" for w in waiting]

    if expect.question and "?" not in reply:
        miss.append("did not ask a question")
    if expect.no_tools and tool_calls:
        miss.append("called " + ", ".join(str(c.get("tool")) for c in tool_calls) + " instead of just answering")
    miss += [f"reply does not mention {_quote(t)}" for t in expect.mentions if not mentions(reply, t)]
    miss += [f"reply mentions {_quote(t)}" for t in expect.absent if mentions(reply, t)]
    if not wrong:
        miss += [f"reply does not name {_quote(t)}" for t in named if not mentions(reply, t)]

    outcome = WRONG_WRITE if wrong else MISS if miss else RIGHT
    return Verdict(outcome, wrong + miss)
