"""Loads and checks the evaluation set (cases.yaml); a bad file gives an error naming the case and field."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CASES_FILE = Path(__file__).with_name("cases.yaml")
PLACEHOLDER = re.compile(r"\{(\d+|missing)\}")
_EXPECT_KEYS = {"add", "complete", "delete", "update", "question", "mentions", "absent", "no_tools"}
_CASE_KEYS = {"id", "intent", "seed", "tasks", "message", "turns", "expect"}


class CaseError(ValueError):
    """The case file is malformed; the message names the case and the field."""


@dataclass(frozen=True)
class Seed:
    title: str
    description: str | None = None
    completed: bool = False


@dataclass(frozen=True)
class NewTask:
    titles: tuple[str, ...]  # any of these is right
    description: str | None = None


@dataclass(frozen=True)
class Change:
    titles: tuple[str, ...] | None = None
    description: str | None = None  # "" clears it; None leaves it alone


@dataclass(frozen=True)
class Expect:
    add: tuple[NewTask, ...] = ()
    complete: frozenset[int] = frozenset()
    delete: frozenset[int] = frozenset()
    update: dict[int, Change] = field(default_factory=dict)
    question: bool = False
    mentions: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    no_tools: bool = False

    @property
    def writes(self) -> bool:
        return bool(self.add or self.complete or self.delete or self.update)


@dataclass(frozen=True)
class Turn:
    message: str
    expect: Expect


@dataclass(frozen=True)
class Case:
    id: str
    intent: str
    tasks: tuple[Seed, ...]
    turns: tuple[Turn, ...]


def load_cases(path: Path = CASES_FILE) -> list[Case]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CaseError(f"{path}: cannot read: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("cases"), list):
        raise CaseError(f"{path}: expected a mapping with a 'cases' list")
    seeds_doc = doc.get("seeds") or {}
    if not isinstance(seeds_doc, dict):
        raise CaseError(f"{path}: 'seeds' must map names to task lists")
    seeds = {name: _tasks(f"{path}: seed {name!r}", tasks) for name, tasks in seeds_doc.items()}
    cases: list[Case] = []
    seen: set[str] = set()
    for i, raw in enumerate(doc["cases"], 1):
        where = f"{path}: case {i}"
        if not isinstance(raw, dict):
            raise CaseError(f"{where}: expected a mapping")
        case_id = raw.get("id")
        if not isinstance(case_id, str) or not case_id:
            raise CaseError(f"{where}: 'id' must be a non-empty string")
        where = f"{path}: case {case_id!r}"
        if case_id in seen:
            raise CaseError(f"{where}: duplicate id")
        seen.add(case_id)
        cases.append(_case(where, raw, seeds))
    return cases


def _case(where: str, raw: dict[str, Any], seeds: dict[str, tuple[Seed, ...]]) -> Case:
    unknown = set(raw) - _CASE_KEYS
    if unknown:
        raise CaseError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    intent = raw.get("intent")
    if not isinstance(intent, str) or not intent:
        raise CaseError(f"{where}: 'intent' must be a non-empty string")
    if ("seed" in raw) == ("tasks" in raw):
        raise CaseError(f"{where}: give exactly one of 'seed' or 'tasks'")
    if "seed" in raw:
        if raw["seed"] not in seeds:
            raise CaseError(f"{where}: unknown seed {raw['seed']!r}")
        tasks = seeds[raw["seed"]]
    else:
        tasks = _tasks(f"{where}: tasks", raw["tasks"])
    if ("message" in raw) == ("turns" in raw):
        raise CaseError(f"{where}: give exactly one of 'message' (with 'expect') or 'turns'")
    if "message" in raw:
        turns_raw: Any = [{"message": raw["message"], "expect": raw.get("expect")}]
    else:
        if "expect" in raw:
            raise CaseError(f"{where}: with 'turns', each turn has its own 'expect'")
        turns_raw = raw["turns"]
        if not isinstance(turns_raw, list) or not turns_raw:
            raise CaseError(f"{where}: 'turns' must be a non-empty list")
    turns = []
    for n, t in enumerate(turns_raw, 1):
        tw = f"{where}: turn {n}"
        if not isinstance(t, dict) or set(t) - {"message", "expect"}:
            raise CaseError(f"{tw}: expected a mapping with 'message' and 'expect'")
        message = t.get("message")
        if not isinstance(message, str) or not message.strip():
            raise CaseError(f"{tw}: 'message' must be a non-empty string")
        for ref in PLACEHOLDER.findall(message):
            if ref != "missing" and not 1 <= int(ref) <= len(tasks):
                raise CaseError(f"{tw}: message refers to task {{{ref}}} but the case has {len(tasks)} tasks")
        turns.append(Turn(message, _expect(f"{tw}: expect", t.get("expect"), len(tasks))))
    return Case(raw["id"], intent, tasks, tuple(turns))


def _tasks(where: str, raw: Any) -> tuple[Seed, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise CaseError(f"{where}: expected a list of tasks")
    out = []
    for n, t in enumerate(raw, 1):
        if not isinstance(t, dict) or set(t) - {"title", "description", "completed"}:
            raise CaseError(f"{where}: task {n}: expected title, description, completed")
        title, desc, done = t.get("title"), t.get("description"), t.get("completed", False)
        if not isinstance(title, str) or not title.strip():
            raise CaseError(f"{where}: task {n}: 'title' must be a non-empty string")
        if desc is not None and not isinstance(desc, str):
            raise CaseError(f"{where}: task {n}: 'description' must be a string")
        if not isinstance(done, bool):
            raise CaseError(f"{where}: task {n}: 'completed' must be true or false")
        out.append(Seed(title, desc, done))
    return tuple(out)


def _expect(where: str, raw: Any, n_tasks: int) -> Expect:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise CaseError(f"{where}: expected a mapping")
    unknown = set(raw) - _EXPECT_KEYS
    if unknown:
        raise CaseError(f"{where}: unknown key {sorted(unknown)[0]!r}")

    def index(value: Any, key: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= n_tasks:
            raise CaseError(f"{where}: {key}: {value!r} is not a task number between 1 and {n_tasks}")
        return value

    def indexes(key: str) -> frozenset[int]:
        values = raw.get(key) or []
        if not isinstance(values, list):
            raise CaseError(f"{where}: {key}: expected a list of task numbers")
        return frozenset(index(v, key) for v in values)

    adds = []
    for n, a in enumerate(raw.get("add") or [], 1):
        if not isinstance(a, dict) or "title" not in a or set(a) - {"title", "description"}:
            raise CaseError(f"{where}: add {n}: expected a mapping with 'title' (and 'description')")
        adds.append(NewTask(_titles(f"{where}: add {n}", a["title"]), _text(f"{where}: add {n}", a.get("description"))))
    update = {}
    upd = raw.get("update") or {}
    if not isinstance(upd, dict):
        raise CaseError(f"{where}: update: expected a mapping of task number to new values")
    for key, change in upd.items():
        i = index(key, "update")
        if not isinstance(change, dict) or not change or set(change) - {"title", "description"}:
            raise CaseError(f"{where}: update {key}: expected 'title' and/or 'description'")
        titles = _titles(f"{where}: update {key}", change["title"]) if "title" in change else None
        desc = _text(f"{where}: update {key}", change.get("description"))
        update[i] = Change(titles, desc)
    expect = Expect(
        add=tuple(adds),
        complete=indexes("complete"),
        delete=indexes("delete"),
        update=update,
        question=_flag(where, raw, "question"),
        mentions=_strings(where, raw, "mentions"),
        absent=_strings(where, raw, "absent"),
        no_tools=_flag(where, raw, "no_tools"),
    )
    if expect.question and expect.writes:
        raise CaseError(f"{where}: a question changes nothing; drop 'question' or the changes")
    return expect


def _titles(where: str, value: Any) -> tuple[str, ...]:
    values = value if isinstance(value, list) else [value]
    if not values or not all(isinstance(v, str | int | float) and str(v).strip() for v in values):
        raise CaseError(f"{where}: 'title' must be a string or a list of strings")
    return tuple(str(v) for v in values)


def _text(where: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str | int | float):
        raise CaseError(f"{where}: 'description' must be a string")
    return str(value)


def _flag(where: str, raw: dict[str, Any], key: str) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        raise CaseError(f"{where}: {key}: expected true or false")
    return value


def _strings(where: str, raw: dict[str, Any], key: str) -> tuple[str, ...]:
    values = raw.get(key) or []
    if not isinstance(values, list) or not all(isinstance(v, str | int) for v in values):
        raise CaseError(f"{where}: {key}: expected a list of strings")
    return tuple(str(v) for v in values)
