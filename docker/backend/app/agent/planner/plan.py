"""The planner: a message, the conversation so far and the user's tasks -> tool calls, or a question.

Pure: no database, no I/O. Safety first: when any part of a message is uncertain (two tasks
match, a title that still holds command words, something not understood) the plan holds no
call at all and says why; bulk changes are only proposed, and carried out on "yes".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from app.agent.planner import wording
from app.agent.planner.grammar import SOCIAL, Intent, Kind, clauses, read, split_target_value
from app.agent.planner.match import PRONOUNS, Matcher, Resolution, TaskView
from app.agent.planner.text import Quoted, protect_quotes, words, wordset

MAX_TITLE = 200
MAX_DESCRIPTION = 1000
MAX_READINGS = 8  # "rename A to B to C": how many places to split at are tried, left to right


@dataclass(frozen=True)
class Call:
    tool: str
    args: dict[str, Any]
    focus: int | None = None  # list_tasks: describe this one task


@dataclass
class Plan:
    calls: list[Call] = field(default_factory=list)
    say: list[str] = field(default_factory=list)  # said after the calls' results (or alone)


_YES_START = wordset("yes yeah yea yep yup ya y sure ok okay confirm confirmed correct absolutely definitely go do")
_YES = _YES_START | wordset(
    "please ahead it that them thanks thank you delete mark done both all right fine sounds good"
)
_NO_START = wordset("no nope nah cancel stop don't dont never n abort")
_NO = _NO_START | wordset("mind keep them it thanks thank you please not now leave that do this forget wait actually")
_ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3}
_REPLY = {
    Kind.GREET: wording.GREETING,
    Kind.THANKS: "You're welcome!",
    Kind.BYE: "Bye! Your tasks are saved.",
    Kind.HOW: "I'm doing well, thanks! What should I do with your tasks?",
    Kind.HELP: wording.HELP,
}
_TITLE_RESIDUE = re.compile(
    r"⟨\d+⟩|[\"“”]|^(?:add|create|new\s+task|tasks?|todos?|to-do|called|named|to|please)\b"
    r"|\b(?:description|desc|notes?|details|title)\s*[:=]|\b(?:to|on)\s+(?:my|the)\s+(?:list|todos|tasks)$"
    r"|\bas\s+(?:\w+\s+)?(?:tasks|todos|items)$",
    re.IGNORECASE,
)


def _only(text: str, allowed: frozenset[str], start: frozenset[str]) -> bool:
    found = words(text)
    return bool(found) and found[0] in start and all(w in allowed for w in found)


def is_yes(text: str) -> bool:
    return _only(text, _YES, _YES_START)


def is_no(text: str) -> bool:
    return _only(text, _NO, _NO_START)


def plan(message: str, history: Sequence[dict[str, str]], tasks: Sequence[TaskView]) -> Plan:
    quoted = protect_quotes(message)
    matcher = Matcher(tasks, quoted, recent=wording.mentioned_ids(history))
    pending = wording.pending_question(history)
    if pending is not None:
        answer = _answer(pending, quoted, matcher)
        if answer is not None:
            return answer
    if is_yes(quoted.body) or is_no(quoted.body):
        return Plan(say=['There is nothing waiting for a yes or no. Say "help" to see what I can do.'])
    intents = _intents(quoted.body)
    if pending is not None and pending.kind == "which" and all(i.kind is Kind.UNKNOWN for i in intents):
        return Plan(
            say=[
                "Sorry, I didn't get which one. "
                + history[-1]["content"].removeprefix("Sorry, I didn't get which one. ")
            ]
        )
    return _Builder(matcher, quoted).build(intents)


def _intents(body: str) -> list[Intent]:
    """Each clause read; a clause split off that means nothing alone goes back to the one before."""
    pieces = clauses(body)
    texts: list[str] = []
    intents: list[Intent] = []
    for piece in pieces:
        intent = read(piece.text)
        if intent.kind is Kind.UNKNOWN and piece.glue is not None and texts:
            merged = texts[-1] + piece.glue + piece.text
            again = read(merged)
            if again.kind is not Kind.UNKNOWN:
                texts[-1], intents[-1] = merged, again
                continue
        texts.append(piece.text)
        intents.append(intent)
    return _link(intents)


def _refers_back(target: str) -> bool:
    found = words(target)
    return not found or all(w in PRONOUNS or w in ("the", "task", "one") for w in found)


def _link(intents: list[Intent]) -> list[Intent]:
    """ "callled the plumbr, mark it done", "for the garage task, add a note saying ...",
    "I need to pick up the kids, can you add that?": "it", "that" or a missing target is the
    clause before."""
    out: list[Intent] = []
    for intent in intents:
        prev = out[-1] if out else None
        if prev is None or prev.kind in SOCIAL:
            out.append(intent)
            continue
        if intent.kind is Kind.ADD and len(intent.titles) == 1 and _refers_back(intent.titles[0]):
            if prev.kind is Kind.ADD:
                continue
            if prev.kind is Kind.UNKNOWN:
                out[-1] = Intent(Kind.ADD, prev.text, titles=[prev.text], description=intent.description)
                continue
        if intent.kind in (Kind.COMPLETE, Kind.DELETE, Kind.UPDATE) and _refers_back(intent.target):
            if prev.kind is intent.kind and prev.target and intent.kind is not Kind.UPDATE:
                continue
            if prev.kind is Kind.UNKNOWN or (prev.kind is Kind.COMPLETE and prev.past):
                intent.target, intent.past = prev.text, prev.past or intent.kind is Kind.COMPLETE
                out[-1] = intent
                continue
        out.append(intent)
    return out


def _answer(pending: wording.Pending, quoted: Quoted, matcher: Matcher) -> Plan | None:
    """The user's answer to the question the assistant asked last; None when this is a new request."""
    text = quoted.body
    if pending.kind == "confirm":
        if is_yes(text):
            tool = "delete_task" if pending.action == "delete" else "complete_task"
            return Plan(calls=[Call(tool, {"task_id": i}) for i in pending.ids])
        return Plan(say=["OK, I left them as they are."]) if is_no(text) else None
    if pending.kind == "offer":
        if is_yes(text):
            return Plan(calls=[Call("add_task", {"title": pending.value})])
        return Plan(say=["OK, I didn't add it."]) if is_no(text) else None
    if is_no(text):
        return Plan(say=["OK, nothing changed."])
    candidates = [t for t in (matcher.task(i) for i in pending.ids) if t is not None]
    chosen = _choose(text, candidates, quoted, pending.action)
    if not chosen:
        return None
    if pending.action in ("rename", "describe") and len(chosen) > 1:
        return None
    calls = []
    for task in chosen:
        if pending.action == "delete":
            calls.append(Call("delete_task", {"task_id": task.id}))
        elif pending.action == "complete":
            calls.append(Call("complete_task", {"task_id": task.id}))
        elif pending.action == "rename":
            calls.append(Call("update_task", {"task_id": task.id, "title": pending.value}))
        else:
            calls.append(Call("update_task", {"task_id": task.id, "description": pending.value}))
    return Plan(calls=calls)


def _choose(text: str, candidates: list[TaskView], quoted: Quoted, action: str) -> list[TaskView]:
    """ "task 2", "the second one", "the plumber", "both" -> the candidates meant (empty if unclear)."""
    found = words(text)
    if (
        action in ("delete", "complete")
        and found
        and set(found) <= {"both", "all", "of", "them", "the", "two", "three"}
    ):
        wanted = {"both": 2, "two": 2, "three": 3}
        counts = {wanted[w] for w in found if w in wanted}
        return candidates if counts <= {len(candidates)} else []
    for w in found:
        if w in _ORDINALS and _ORDINALS[w] < len(candidates):
            return [candidates[_ORDINALS[w]]]
        if w == "last" and candidates:
            return [candidates[-1]]
    resolved = Matcher(candidates, quoted).resolve(text)
    by_id = {t.id: t for t in candidates}
    if resolved.ok and len(resolved.ids) == 1 and resolved.ids[0] in by_id:
        return [by_id[resolved.ids[0]]]
    return []


class _Builder:
    """Turns intents into calls; collects problems, which cancel every call."""

    def __init__(self, matcher: Matcher, quoted: Quoted) -> None:
        self.matcher = matcher
        self.quoted = quoted
        self.calls: list[Call] = []
        self.notes: list[str] = []
        self.problems: list[str] = []

    def build(self, intents: list[Intent]) -> Plan:
        actions = [i for i in intents if i.kind not in SOCIAL]
        if not actions:
            return Plan(say=[_REPLY[intents[0].kind if intents else Kind.HELP]])
        if len(actions) == 1 and actions[0].kind is Kind.UNKNOWN:
            return Plan(say=[self._fallback(actions[0])])
        for intent in actions:
            getattr(self, "_" + intent.kind.name.lower())(intent)
        if self.problems:
            return Plan(say=list(dict.fromkeys(self.problems)))
        seen: set[tuple[str, str]] = set()
        calls = []
        for call in self.calls:
            key = (call.tool, repr(sorted(call.args.items())))
            if key not in seen:
                seen.add(key)
                calls.append(call)
        return Plan(calls, self.notes)

    # -------------------------------------------------------------- text of titles and values
    def _value(self, raw: str) -> tuple[str, bool]:
        """The text meant (quotes removed) and whether it was quoted as a whole."""
        quote = self.quoted.only_quote(raw)
        if quote is not None:
            return quote.strip(), True
        return self.quoted.restore(raw).strip(" ,;:").strip(), False

    def _title(self, raw: str) -> str | None:
        """A title fit to store, or None (after noting the problem) when it still holds residue."""
        if _TITLE_RESIDUE.search(raw.strip()) and not self.quoted.only_quote(raw):
            self.problems.append(
                f'I\'m not sure what the task should be called ("{self.quoted.restore(raw)}"). '
                'Put the title in quotes, for example: add "Buy milk".'
            )
            return None
        title, quoted = self._value(raw)
        title = title.strip(" .!?,;:") if not quoted else title
        if not title:
            self.problems.append('What should the task be called? For example: add "Buy milk".')
            return None
        if len(title) > MAX_TITLE:
            self.problems.append(f"A task title can be at most {MAX_TITLE} characters; that one has {len(title)}.")
            return None
        return title if quoted else wording.sentence(title)

    def _description(self, raw: str) -> str | None:
        text, _ = self._value(raw)
        if len(text) > MAX_DESCRIPTION:
            self.problems.append(
                f"A description can be at most {MAX_DESCRIPTION} characters; that one has {len(text)}."
            )
            return None
        return text

    # -------------------------------------------------------------- finding tasks
    def _resolve(self, intent: Intent, action: str, value: str = "") -> list[int]:
        """The ids an intent names, or [] after noting the question to ask."""
        r = self.matcher.resolve(intent.target, prefer_pending=action == "complete", past=intent.past)
        return self._ids(r, action, value)

    def _ids(self, r: Resolution, action: str, value: str = "") -> list[int]:
        if r.ok:
            return r.ids
        if r.unclear:
            asks = {
                "delete": "Which task should I delete?",
                "complete": "Which task is done?",
                "rename": "Which task should I rename?",
                "describe": "Which task should get that description?",
                "show": "Which task do you mean?",
            }
            self.problems.append(f"{asks[action]} Tell me its number or a word from its title.")
        for _, candidates in r.ambiguous:
            self.problems.append(wording.which_one(action, candidates, value))
        for phrase in r.missing:
            self.problems.append(f'I couldn\'t find a task matching "{phrase}".')
        return []

    # -------------------------------------------------------------- one method per kind
    def _add(self, intent: Intent) -> None:
        if not intent.titles:
            self.problems.append('What should the new task say? For example: add "Buy milk".')
            return
        if intent.count is not None and intent.count != len(intent.titles):
            self.problems.append(
                f"You said {intent.count} tasks but I see {len(intent.titles)}: which are they? "
                "List them separated by commas, for example: add 3 tasks: milk, eggs, bread."
            )
            return
        if intent.description is not None and len(intent.titles) > 1:
            self.problems.append("Which of those tasks should get the description? Add them one at a time.")
            return
        description = self._description(intent.description) if intent.description is not None else None
        for raw in intent.titles:
            title = self._title(raw)
            if title is not None:
                args: dict[str, Any] = {"title": title}
                if description:
                    args["description"] = description
                self.calls.append(Call("add_task", args))

    def _complete(self, intent: Intent) -> None:
        ids = self._resolve(intent, "complete")
        if intent.confirm and ids:
            tasks = [t for t in (self.matcher.task(i) for i in ids) if t is not None and not t.completed]
            if tasks:
                self.problems.append(wording.confirm_done(tasks))
                return
        for task_id in ids:
            task = self.matcher.task(task_id)
            if task is not None and task.completed:
                self.notes.append(wording.sentence(f"{wording.task_ref(task.id, task.title)} was already done."))
            else:
                self.calls.append(Call("complete_task", {"task_id": task_id}))

    def _delete(self, intent: Intent) -> None:
        for task_id in self._resolve(intent, "delete"):
            self.calls.append(Call("delete_task", {"task_id": task_id}))

    def _update(self, intent: Intent) -> None:
        action = "rename" if intent.new_title is not None else "describe"
        if intent.new_title is None and intent.description is None:
            r = self.matcher.resolve(intent.target)
            if r.ok and len(r.ids) == 1 and self.matcher.task(r.ids[0]):
                task = self.matcher.task(r.ids[0])
                assert task is not None
                ref = wording.task_ref(task.id, task.title)
                self.problems.append(
                    f'What should I change {ref} to? For example: rename task {task.id} to "New title".'
                )
            else:
                self.problems.append(
                    'Which task should I change, and to what? For example: rename task 3 to "Call mom".'
                )
            return
        target, raw_value = intent.target, intent.new_title if intent.new_title is not None else intent.description
        assert raw_value is not None
        if intent.topic:  # "rename A to B to C": the first reading whose A names one task
            for option_target, option_value in split_target_value(intent.topic)[:MAX_READINGS]:
                r = self.matcher.resolve(option_target)
                if r.ok and len(r.ids) == 1:
                    target, raw_value = option_target, option_value
                    break
        value_text, _ = self._value(raw_value)
        r = self.matcher.resolve(target)
        ids = self._ids(r, action, value_text)
        if len(ids) > 1:
            self.problems.append("I can change one task at a time; which one do you mean?")
            return
        if not ids:
            return
        if intent.new_title is not None:
            title = self._title(raw_value)
            if title is not None:
                self.calls.append(Call("update_task", {"task_id": ids[0], "title": title}))
        else:
            description = self._description(raw_value)
            if description is not None:
                self.calls.append(Call("update_task", {"task_id": ids[0], "description": description}))

    def _list(self, intent: Intent) -> None:
        self.calls.append(Call("list_tasks", {"status": intent.status}))

    def _show(self, intent: Intent) -> None:
        ids = self._ids(self.matcher.resolve(intent.target), "show")
        for task_id in ids:
            self.calls.append(Call("list_tasks", {"status": "all"}, focus=task_id))

    def _bulk_delete(self, intent: Intent) -> None:
        completed = intent.status == "completed"
        chosen = [t for t in self.matcher.tasks if t.completed or not completed]
        if not chosen:
            self.notes.append(
                "You have no completed tasks, so there is nothing to delete." if completed else "You have no tasks."
            )
            return
        self.problems.append(wording.confirm_bulk("delete", chosen, "completed " if completed else ""))

    def _bulk_complete(self, intent: Intent) -> None:
        chosen = [t for t in self.matcher.tasks if not t.completed]
        if not chosen:
            self.notes.append("All your tasks are already done." if self.matcher.tasks else "You have no tasks.")
            return
        self.problems.append(wording.confirm_bulk("complete", chosen, "pending "))

    def _unsupported(self, intent: Intent) -> None:
        self.problems.append(wording.UNSUPPORTED[intent.topic])

    def _unknown(self, intent: Intent) -> None:
        self.problems.append(f'I didn\'t understand "{self.quoted.restore(intent.text)}", so I changed nothing.')

    def _fallback(self, intent: Intent) -> str:
        """A message with nothing understood: name the task it matches, offer to add a short phrase,
        or say what I can do."""
        text = self.quoted.restore(intent.text).strip(" .!?")
        r = self.matcher.resolve(intent.text)
        task = self.matcher.task(r.ids[0]) if r.ok and len(r.ids) == 1 else None
        if task is not None:
            ref = wording.task_ref(task.id, task.title)
            return f"What should I do with {ref}? I can mark it done, delete it or rename it."
        question = re.match(r"(?:what|who|when|where|why|how|which|is|are|can|could|do|does|will)\b", text, re.I)
        if 0 < len(words(text)) <= 3 and not question and "?" not in intent.text:
            return wording.offer_add(wording.sentence(text))
        return wording.OUT_OF_SCOPE
