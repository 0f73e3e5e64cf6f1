"""Which of the user's tasks a phrase names: ids, quoted titles, or words matched by stem and typo.

A task matches a phrase when every meaningful word of the phrase is in its title. One match is
an answer; two or more are a question unless exactly one title is named in full.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from app.agent.planner.text import Quoted, is_past, same_word, words, wordset

# Words that never tell two tasks apart: articles, pronouns, task nouns, fillers, negations.
STOPWORDS = wordset(
    """a an the my our your his her their its this that these those it them me i i'm im i've ive we
    task tasks todo todos to-do to-dos item items one ones thing things stuff entry list lists
    about regarding re for of to on in at from off with by into onto up out
    please just already also finally now anymore any more really actually still
    is are was were be been being am has have had do does did don't doesn't didn't not no longer
    bother worry going gonna want need needs should would could can will
    all whole entire bit so some"""
)
PRONOUNS = frozenset({"it", "that", "this", "them", "those", "these", "one", "same"})
_ID_FILLERS = frozenset(
    {"task", "tasks", "number", "numbers", "no", "and", "the", "both", "item", "items", "id", "ids"}
)
_MARKED_ID = re.compile(r"(?:#\s*|\b(?:task|item|number|no\.?)\s*#?\s*)(\d{1,10})\b", re.IGNORECASE)
_TOKEN = re.compile(r"#?\d+|⟨\d+⟩|[a-z][a-z'-]*", re.IGNORECASE)
_SPLIT = re.compile(r"\s*,\s*(?:and\s+|&\s*)?|\s+(?:and|&|plus|as\s+well\s+as)\s+", re.IGNORECASE)
_EDGE_NOISE = re.compile(r"^(?:for|about|regarding|re|with|on)\s+|[\s,;:.!?-]+$", re.IGNORECASE)


@dataclass(frozen=True)
class TaskView:
    id: int
    title: str
    description: str | None
    completed: bool


@dataclass
class Resolution:
    """ids: the tasks named. ambiguous: (phrase, candidates) pairs. missing: phrases naming nothing.
    unclear: the phrase names no task at all ("it" with nothing to refer to, or only filler)."""

    ids: list[int] = field(default_factory=list)
    ambiguous: list[tuple[str, list[TaskView]]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unclear: bool = False

    @property
    def ok(self) -> bool:
        return bool(self.ids) and not (self.ambiguous or self.missing or self.unclear)


class Matcher:
    """Resolves phrases against one snapshot of the user's tasks."""

    def __init__(self, tasks: Sequence[TaskView], quoted: Quoted, recent: Sequence[int] = ()) -> None:
        self.tasks = list(tasks)
        self.quoted = quoted
        self.recent = list(dict.fromkeys(recent))
        self._title_words = {t.id: [w for w in words(t.title) if w not in STOPWORDS] for t in self.tasks}

    def resolve(self, phrase: str, *, prefer_pending: bool = False, past: bool = False) -> Resolution:
        phrase = _EDGE_NOISE.sub("", phrase.strip()).strip()
        tokens = [t.lower() for t in _TOKEN.findall(phrase)]
        if not tokens or all(t in PRONOUNS or t in STOPWORDS for t in tokens):
            if tokens and any(t in PRONOUNS for t in tokens) and len(self.recent) == 1:
                return Resolution(ids=list(self.recent))
            return Resolution(unclear=True)
        ids = self._ids(phrase, tokens)
        if ids:
            return Resolution(ids=ids)
        whole = self._one(phrase, prefer_pending, past)
        if whole.ids or whole.ambiguous:
            return whole
        parts = [p for p in _SPLIT.split(phrase) if p.strip()]
        if len(parts) < 2:
            return whole
        out = Resolution()
        for part in parts:
            r = self._one(part, prefer_pending, past)
            out.ids += [i for i in r.ids if i not in out.ids]
            out.ambiguous += r.ambiguous
            out.missing += r.missing
            out.unclear = out.unclear or r.unclear
        return out

    def _ids(self, phrase: str, tokens: list[str]) -> list[int]:
        """Ids: numbers with nothing but "and"/"tasks" around them ("3, 4 and 5", "task 3"), or a
        marked id ("#3", "task 3") whose title has the other words too; "Review PR #42" is a title."""
        if all(t.lstrip("#").isdigit() or t in _ID_FILLERS for t in tokens):
            return list(dict.fromkeys(int(t.lstrip("#")) for t in tokens if t.lstrip("#").isdigit()))
        marked = list(dict.fromkeys(int(m.group(1)) for m in _MARKED_ID.finditer(phrase)))
        rest = [w for w in words(self.quoted.restore(_MARKED_ID.sub(" ", phrase))) if w not in STOPWORDS]
        if not marked or not rest:
            return marked
        owned = all(i in self._title_words for i in marked)
        return marked if owned and all(self._in_title(w, i) for i in marked for w in rest) else []

    def _one(self, phrase: str, prefer_pending: bool, past: bool) -> Resolution:
        quote = self.quoted.only_quote(phrase)
        if quote is not None:
            exact = [t for t in self.tasks if _same_title(t.title, quote)]
            if exact:
                return self._pick(phrase, exact, exact, prefer_pending)
        text = self.quoted.restore(phrase)
        found = [w for w in words(text) if w not in STOPWORDS]
        soft: set[str] = set()
        if past and found:
            # "called mom", "got the water bill paid": the verbs may or may not be in the title.
            soft = {w for w in (found[0], found[-1]) if is_past(w)}
        hard = [w for w in found if w not in soft]
        if not hard:
            return Resolution(unclear=True)
        candidates = [t for t in self.tasks if all(self._in_title(w, t.id) for w in hard)]
        if not candidates:
            return Resolution(missing=[text])
        named = [t for t in candidates if all(self._named(tw, hard, soft) for tw in self._title_words[t.id])]
        return self._pick(text, candidates, named, prefer_pending)

    def _pick(self, phrase: str, candidates: list[TaskView], named: list[TaskView], prefer_pending: bool) -> Resolution:
        if prefer_pending:
            candidates = [t for t in candidates if not t.completed] or candidates
            named = [t for t in named if not t.completed] or named
        if len(candidates) == 1:
            return Resolution(ids=[candidates[0].id])
        named = [t for t in named if t in candidates]
        if len(named) == 1 and sum(_same_title(t.title, named[0].title) for t in candidates) == 1:
            return Resolution(ids=[named[0].id])
        return Resolution(ambiguous=[(phrase, candidates)])

    def _in_title(self, word: str, task_id: int) -> bool:
        return any(same_word(word, tw) for tw in self._title_words[task_id])

    @staticmethod
    def _named(title_word: str, hard: list[str], soft: set[str]) -> bool:
        return any(same_word(title_word, w) for w in [*hard, *soft])

    def task(self, task_id: int) -> TaskView | None:
        return next((t for t in self.tasks if t.id == task_id), None)


def _same_title(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()).strip(" .!?") == " ".join(b.casefold().split()).strip(" .!?")
