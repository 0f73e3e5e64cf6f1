"""Words for the planner: quoted spans set aside, words compared by stem and despite one typo."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from rapidfuzz.distance import OSA

MARKER = re.compile(r"⟨(\d+)⟩")
_TYPOGRAPHIC = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'", "`": "'"})
_DOUBLE = re.compile(r'"([^"]*)"')
# An opening ' follows no letter (not "don't"); inside, a ' before a letter is an apostrophe ("mom's").
_SINGLE = re.compile(r"(?<![\w'])'((?:[^']|'(?=\w))*?\S)'(?!\w)")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_STEMMER = snowballstemmer.stemmer("english")

# Past forms the stemmer cannot know (and the participles that read as the same task).
IRREGULAR = {
    "bought": "buy", "paid": "pay", "sent": "send", "wrote": "write", "written": "write", "did": "do",
    "done": "do", "made": "make", "took": "take", "taken": "take", "got": "get", "gotten": "get",
    "went": "go", "gone": "go", "met": "meet", "gave": "give", "given": "give", "brought": "bring",
    "fed": "feed", "ran": "run", "spoke": "speak", "spoken": "speak", "sold": "sell", "told": "tell",
    "found": "find", "kept": "keep", "built": "build", "drove": "drive", "driven": "drive", "ate": "eat",
    "eaten": "eat", "saw": "see", "seen": "see", "swept": "sweep", "threw": "throw", "thrown": "throw",
    "caught": "catch", "taught": "teach", "chose": "choose", "chosen": "choose", "hung": "hang",
    "held": "hold", "lent": "lend", "spent": "spend", "won": "win", "wore": "wear", "rang": "ring",
    "flew": "fly", "grew": "grow", "knew": "know", "shook": "shake", "woke": "wake", "froze": "freeze",
    "began": "begin", "begun": "begin", "dug": "dig", "fought": "fight", "hid": "hide", "sat": "sit",
    "slept": "sleep", "stood": "stand", "understood": "understand", "rode": "ride", "ridden": "ride",
    "wrapped": "wrap", "sung": "sing", "sang": "sing", "drew": "draw", "drawn": "draw",
}  # fmt: skip
# Words people use for the same chore (by stem): "grocery shopping" is "buy groceries".
SYNONYMS = {"shop": "buy", "purchas": "buy", "phone": "call", "ring": "call", "mail": "email", "e-mail": "email"}


def wordset(text: str) -> frozenset[str]:
    """A set of words written as one string (long vocabularies stay readable)."""
    return frozenset(text.split())


@dataclass(frozen=True)
class Quoted:
    """A message whose quoted spans are replaced by markers ⟨0⟩, ⟨1⟩... so grammar never reads inside them."""

    body: str
    quotes: tuple[str, ...]

    def restore(self, text: str) -> str:
        """The text with each marker replaced by what was quoted (without the quote marks)."""
        return MARKER.sub(lambda m: self.quotes[int(m.group(1))], text)

    def only_quote(self, text: str) -> str | None:
        """What was quoted, when the text is one quoted span and nothing else."""
        m = MARKER.fullmatch(text.strip())
        return self.quotes[int(m.group(1))] if m else None


def normalize(message: str) -> str:
    """Unicode compatibility forms, typographic quotes as plain ones, one space between words."""
    text = unicodedata.normalize("NFKC", message).translate(_TYPOGRAPHIC)
    return " ".join(text.split())


def protect_quotes(message: str) -> Quoted:
    text = normalize(message).replace("⟨", "(").replace("⟩", ")")
    quotes: list[str] = []

    def keep(m: re.Match[str]) -> str:
        inner = " ".join(m.group(1).split())
        if not inner:
            return " "
        quotes.append(inner)
        return f"⟨{len(quotes) - 1}⟩"

    text = _SINGLE.sub(keep, _DOUBLE.sub(keep, text))
    return Quoted(" ".join(text.split()), tuple(quotes))


def words(text: str) -> list[str]:
    """Lower-case words (markers and punctuation dropped), with "mom's" read as "mom"."""
    return [w.removesuffix("'s") for w in _WORD.findall(MARKER.sub(" ", text.lower()))]


@lru_cache(maxsize=4096)
def stem(word: str) -> str:
    w = re.sub(r"(.)\1\1+", r"\1\1", word.lower().removesuffix("'s"))  # "callled" -> "called"
    w = IRREGULAR.get(w, w)
    s = str(_STEMMER.stemWord(w))
    return SYNONYMS.get(s, s)


def typo(a: str, b: str) -> bool:
    """Whether two different words are one slip apart: a swapped pair in 4 letters, one edit from 5,
    two from 9. Shorter words must match exactly (too many real words are one letter apart)."""
    if a == b:
        return True
    shortest = min(len(a), len(b))
    if shortest < 4:
        return False
    distance = OSA.distance(a, b)
    if shortest == 4:
        return distance == 1 and sorted(a) == sorted(b)
    return distance <= (2 if shortest >= 9 else 1)


def same_word(a: str, b: str) -> bool:
    """The same word, give or take an inflection ("groceries"/"grocery", "bought"/"buy") or a typo."""
    return a == b or stem(a) == stem(b) or typo(a, b) or typo(stem(a), stem(b))


def loose(word: str, vocabulary: frozenset[str]) -> str | None:
    """The one vocabulary word within one edit, for words of 3 letters or more: only where the rest
    of the sentence confirms the reading ("marc 3 as done", "shw my tasks")."""
    hits = [v for v in vocabulary if len(word) >= 3 and OSA.distance(word, v) <= 1]
    return hits[0] if len(hits) == 1 else None


def closest(word: str, vocabulary: frozenset[str]) -> str | None:
    """The one vocabulary word this word is a typo of, if exactly one."""
    if word in vocabulary:
        return word
    hits = [v for v in vocabulary if typo(word, v)]
    return hits[0] if len(hits) == 1 else None


def is_past(word: str) -> bool:
    """A past form that says a chore was done ("called", "paid"); not "need", "added" or "started"."""
    w = word.lower()
    if w in IRREGULAR:
        return True
    return len(w) >= 5 and w.endswith("ed") and w not in _NOT_DONE_PAST


_NOT_DONE_PAST = wordset(
    """need feed speed seed shed bleed breed proceed exceed succeed embed weed heed shred
    added created deleted removed renamed listed marked wanted needed missed failed tried started
    planned decided hoped wished forgotten scheduled postponed delayed skipped cancelled canceled
    moved changed asked"""
)
