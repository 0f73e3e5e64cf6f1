"""How people ask a todo assistant for things: a message split into clauses, each read as one intent.

Works on text whose quoted spans are markers (text.Quoted), so nothing inside quotes is ever
read as a command. Command words tolerate one typo ("delte", "shwo", "doen"); titles are left
as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from app.agent.planner.text import closest, is_past, loose, stem, words, wordset

I = re.IGNORECASE  # noqa: E741 - short on purpose: every pattern below uses it


class Kind(Enum):
    ADD = "add"
    COMPLETE = "complete"
    DELETE = "delete"
    UPDATE = "update"
    LIST = "list"
    SHOW = "show"
    BULK_DELETE = "bulk delete"
    BULK_COMPLETE = "bulk complete"
    GREET = "greet"
    THANKS = "thanks"
    BYE = "bye"
    HOW = "how are you"
    HELP = "help"
    UNSUPPORTED = "unsupported"
    UNKNOWN = "unknown"


@dataclass
class Intent:
    kind: Kind
    text: str = ""  # the clause, politeness removed (marker text)
    target: str = ""  # the phrase naming existing tasks
    past: bool = False  # "called mom": the verb may be part of the title
    titles: list[str] = field(default_factory=list)  # new tasks (marker text)
    count: int | None = None  # "three tasks: ..."
    description: str | None = None  # marker text; "" clears
    new_title: str | None = None
    status: str = "all"  # list and bulk: all, pending, completed
    topic: str = ""  # unsupported: what was asked for; update: the text to split into target and value
    confirm: bool = False  # "mom called": probably done, but ask before marking it


SOCIAL = (Kind.GREET, Kind.THANKS, Kind.BYE, Kind.HOW, Kind.HELP)

# ------------------------------------------------------------------ vocabulary
_HEADS = wordset(
    """add create make delete remove erase cancel scratch trash drop complete finish mark rename change
    update edit show list display view check tick cross clear"""
)
# Real words one slip away from a command word: never "corrected".
_PROTECTED = wordset(
    """shop shot shoe snow slow stow show park bark dark lark mask mart last lost lust fist mist gist
    lint list made mate cheek chick click clock crass cress class dear drip drum chance charge
    changed delta finch finis clean mare mart"""
)
_DONE_WORDS = frozenset(
    {"done", "complete", "completed", "finished", "closed", "resolved", "paid", "sorted", "handled"}
)
_TASK_NOUNS = frozenset(
    {"task", "tasks", "todo", "todos", "item", "items", "reminder", "reminders", "entry", "entries"}
)
_LIST_WORDS = frozenset({"tasks", "list", "todos", "pending", "completed", "finished", "outstanding", "remaining"})
_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
_ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "st", "vs", "etc", "e.g", "i.e", "jr", "sr", "prof", "no", "approx"}
)

_LIST_REF = r"(?:my|the|our)\s+(?:todo\s+|to-do\s+|task\s+|tasks\s+|shopping\s+)?(?:list|todos|to-dos|tasks|todo)"
_SPLIT_HEAD = (
    r"(?:please\s+)?(?:(?:can|could|would)\s+you\s+)?"
    r"(?:add|create|delete|remove|mark|complete|show|list|rename|change|update|erase|tick|cross\s+off|put|drop|cancel)\b"
)

# ------------------------------------------------------------------ politeness
_LEAD = re.compile(
    r"^(?:(?:hi|hello|hey|hiya|yo|howdy|greetings)(?:\s+there)?|(?:good\s+)?(?:morning|afternoon|evening)|good\s+day"
    r"|thanks(?:\s+a\s+lot)?|thank\s+you(?:\s+(?:so|very)\s+much)?|sorry|ok(?:ay)?|so|well|alright|um+|uh+"
    r"|also|and|actually|oh|oops|btw|by\s+the\s+way|please|pls|plz|kindly"
    r"|(?:would|could|will)\s+(?:you|u)\s+be\s+(?:so\s+kind|kind\s+enough)\s+(?:as\s+)?to|(?:would|do)\s+(?:you|u)\s+mind"
    r"|(?:can|could|would|will)\s+(?:you|u|ya)(?:\s+please)?(?:\s+kindly)?"
    r"|(?:i'?d|i\s+would)\s+like\s+(?:you\s+)?to|i\s+want\s+you\s+to|if\s+you\s+could|if\s+you\s+can"
    r"|(?:can|could|may)\s+i\s+ask\s+you\s+to|go\s+ahead\s+and|just)\b[\s,!.:;-]*",
    I,
)
_TRAIL = re.compile(
    r"(?:[\s,;:-]*\b(?:please|pls|plz|thanks(?:\s+a\s+lot|\s+so\s+much)?|thank\s+you(?:\s+(?:so|very)\s+much)?"
    r"|thx|ty|cheers|for\s+me|if\s+you\s+can|if\s+possible|that\s+would\s+be\s+(?:great|nice|awesome|lovely|perfect)"
    r"|would\s+be\s+great)\b|[\s!.?]+)$",
    I,
)


def strip_politeness(text: str) -> str:
    """Greetings, "could you", "please", "thanks" at either end; the request stays."""
    while True:
        shorter = _TRAIL.sub("", _LEAD.sub("", text.strip())).strip(" ,")
        shorter = re.sub(r"\s+\bplease\b", "", shorter, flags=I) if not re.search(r"⟨\d+⟩", shorter) else shorter
        if shorter == text:
            return text
        text = shorter


# ------------------------------------------------------------------ clauses
@dataclass(frozen=True)
class Piece:
    """A clause, and the words that joined it to the clause before it in the same sentence
    (None at a sentence start), so a split that made no sense can be undone."""

    text: str
    glue: str | None


_THEN = re.compile(r"\s*(?:,\s*|\s+)(?:and\s+)?then\s+", I)
_AND_COMMAND = re.compile(rf"\s*(?:,|;|\s+and\b|\s+also\b)\s*(?:and\s+)?(?:also\s+)?(?={_SPLIT_HEAD})", I)


def clauses(body: str) -> list[Piece]:
    """Sentences, then "..., then ...", "... and mark ...", "..., delete it": one request each.
    A list of new tasks ("add these: a, b and c") stays whole."""
    out: list[Piece] = []
    for sentence in _sentences(body):
        if _ADD_LIST.search(sentence):
            out.append(Piece(sentence, None))
            continue
        for part, joint in _split(sentence, _THEN):
            out += [Piece(piece, joint if inner is None else inner) for piece, inner in _split(part, _AND_COMMAND)]
    return [p for p in out if p.text.strip(" ,.;!?")]


def _split(text: str, pattern: re.Pattern[str]) -> list[tuple[str, str | None]]:
    """Pieces of text cut at pattern, each with the separator before it (None for the first)."""
    pieces: list[tuple[str, str | None]] = []
    start, glue = 0, None
    for m in pattern.finditer(text):
        pieces.append((text[start : m.start()].strip(), glue))
        glue, start = m.group(), m.end()
    pieces.append((text[start:].strip(), glue))
    return pieces


def _sentences(body: str) -> list[str]:
    out, start = [], 0
    for m in re.finditer(r"[.!?]+(?:\s+|$)", body):
        before = re.findall(r"[\w.]+$", body[start : m.start()])
        if m.group().strip() == "." and before and before[0].lower().rstrip(".") in _ABBREVIATIONS:
            continue
        out.append(body[start : m.end()])
        start = m.end()
    out.append(body[start:])
    return [s.strip() for s in out if s.strip()]


# ------------------------------------------------------------------ social
_GREET = re.compile(
    r"^(?:hi|hello|hey|hiya|howdy|yo|greetings|(?:good\s+)?(?:morning|afternoon|evening)|good\s+day)"
    r"(?:\s+(?:there|again|assistant|bot|you|all|everyone|mate))?$",
    I,
)
_THANKS = re.compile(
    r"^(?:thanks|thank\s+you|thx|ty|cheers|great|cool|nice|awesome|perfect|ok(?:ay)?|alright|got\s+it|good)"
    r"(?:\s+(?:so|very)\s+much|\s+a\s+lot|\s+again|\s+mate)?$",
    I,
)
_BYE = re.compile(
    r"^(?:(?:ok(?:ay)?|thanks|alright|well)\s+)?(?:bye|goodbye|bye\s+bye|see\s+you(?:\s+later)?|see\s+ya|good\s+night"
    r"|later|cya)$",
    I,
)
_HOW = re.compile(
    r"^(?:how\s+are\s+you|how's\s+it\s+going|how\s+is\s+it\s+going|what's\s+up|whats\s+up|sup|how\s+are\s+things)"
    r"(?:\s+(?:doing|today))?$",
    I,
)
_HELP = re.compile(
    r"^(?:help|help\s+me|\?*|what\s+can\s+you\s+do|what\s+do\s+you\s+do|what\s+are\s+you|who\s+are\s+you"
    r"|how\s+does\s+(?:this|it)\s+work|how\s+do\s+(?:i|you)\s+use\s+(?:this|you|it)|what\s+(?:commands|phrases)\b.*"
    r"|can\s+you\s+help(?:\s+me)?|how\s+(?:do|can|should)\s+i\b.*|what\s+can\s+i\s+(?:say|ask|do)\b.*"
    r"|commands|usage|instructions|examples?)$",
    I,
)


def _social(text: str) -> Kind | None:
    plain = text.strip(" .!?,")
    if not re.search(r"[a-z0-9⟨]", plain, I):
        return Kind.HELP
    for pattern, kind in ((_GREET, Kind.GREET), (_THANKS, Kind.THANKS), (_BYE, Kind.BYE), (_HOW, Kind.HOW)):
        if pattern.match(plain):
            return kind
    return Kind.HELP if _HELP.match(plain) else None


# ------------------------------------------------------------------ typos in command words
def fix_head(text: str) -> str:
    """ "delte task 3" -> "delete task 3"; "ad buy milk" -> "add buy milk"; gerunds ("showing") too."""
    m = re.match(r"([a-z]+)\b", text, I)
    if not m:
        return text
    word = m.group(1).lower()
    fixed = word
    if word == "ad" and len(text) > 3:
        fixed = "add"
    elif word in ("rm", "del"):
        fixed = "delete"
    elif word not in _HEADS and word not in _PROTECTED:
        gerund = re.sub(r"ing$", "", word)
        if gerund != word and (gerund in _HEADS or gerund + "e" in _HEADS):
            fixed = gerund if gerund in _HEADS else gerund + "e"
        elif not (word.endswith(("ed", "es", "s")) and any(stem(word) == stem(head) for head in _HEADS)):
            # "updated" or "lists" is another form of a command word, not a typo of it
            fixed = closest(word, _HEADS) or word
    return fixed + text[m.end() :] if fixed != word else text


def _fix_words(text: str, vocabulary: frozenset[str]) -> str:
    """Typos of a few grammar words anywhere in the clause ("pendng" -> "pending")."""

    def fix(m: re.Match[str]) -> str:
        w = m.group(0)
        if w.lower() in vocabulary or w.lower() in _PROTECTED:
            return w
        return closest(w.lower(), vocabulary) or w

    return re.sub(r"(?<![⟨\w])[a-z]{4,}\b", fix, text, flags=I)


# ------------------------------------------------------------------ bulk
_BULK_DELETE = re.compile(
    r"^(?:delete|remove|clear|erase|wipe|get\s+rid\s+of|trash|purge|clean\s+up|clean\s+out|empty)\s+"
    r"(?P<all>all|every|everything|all\s+of)?\s*(?:the\s+|my\s+)*"
    r"(?P<status>completed|complete|finished|done|checked|ticked|old)?\s*"
    r"(?P<noun>tasks|todos|to-dos|items|ones|stuff|things|list|todo\s+list|task\s+list)?"
    rf"(?:\s+(?:from|on|in|off)\s+{_LIST_REF}|\s+(?:on|in)\s+(?:it|there))?$",
    I,
)
_BULK_COMPLETE = re.compile(
    r"^(?:mark|complete|finish|check\s+off|tick\s+off|close)\s+(?:all|every|everything)\s*(?:of\s+)?(?:the\s+|my\s+)*"
    r"(?:pending|open|remaining)?\s*(?:tasks|todos|to-dos|items|ones|things)?\s*(?:as\s+)?"
    r"(?:done|complete|completed|finished)?$",
    I,
)


def _bulk(text: str) -> Intent | None:
    m = _BULK_DELETE.match(text)
    if m and (m.group("all") or m.group("status") or (m.group("noun") or "").lower().endswith("list")):
        return Intent(Kind.BULK_DELETE, text, status="completed" if m.group("status") else "all")
    if _BULK_COMPLETE.match(text):
        return Intent(Kind.BULK_COMPLETE, text, status="pending")
    return None


# ------------------------------------------------------------------ updates
_FIELD = r"(?P<field>description|desc|details|detail|notes?|comment|title|name)"
_NOTE = r"(?P<field>description|desc|details|detail|notes?|comment)"
_SEP = r"\s+(?:to|into|as)\s+|\s*[:=]\s+|\s*=\s*|\s+(?:to\s+)?(?:say|read)\s+"
_UPDATE_HEAD = r"(?:change|update|set|edit|modify|make|fix|replace)"
_U_ADD_NOTE = re.compile(
    rf"^(?:add|attach|put|write|leave|include)\s+(?:a\s+|an\s+|some\s+|the\s+)?(?:new\s+|short\s+)?{_NOTE}\s+"
    r"(?:to|for|on|in)\s+(?P<target>.+?)(?:\s*[:–-]\s*|\s+(?:saying|that\s+says|reading|with)\s+)(?P<value>.+)$",
    I,
)
_U_ADD_NOTE_BARE = re.compile(
    rf"^(?:add|attach|put|write|leave)\s+(?:a\s+|an\s+|some\s+)?(?:new\s+|short\s+)?{_NOTE}"
    r"\s*(?::|saying|that\s+says|reading|–|-)\s*(?P<value>.+)$",
    I,
)
_U_NEEDS = re.compile(
    rf"^(?P<target>.+?)\s+(?:needs|should\s+have|gets|could\s+use)\s+(?:a\s+|the\s+|an?\s+new\s+)?{_NOTE}"
    r"\s*(?::|saying|that\s+says|–|-)\s*(?P<value>.+)$",
    I,
)
_U_CLEAR = re.compile(
    rf"^(?:clear|remove|delete|erase|empty|drop|wipe)\s+(?:the\s+)?{_NOTE}\s+(?:of|from|on|for|in)\s+(?P<target>.+)$",
    I,
)
_U_CLEAR_POSS = re.compile(rf"^(?:clear|remove|delete|erase|empty|wipe)\s+(?P<target>.+?)(?:'s|s')\s+{_NOTE}$", I)
_U_FIELD_OF = re.compile(rf"^{_UPDATE_HEAD}\s+(?:the\s+)?{_FIELD}\s+(?:of|for|on|in)\s+(?P<rest>.+)$", I)
_U_POSS = re.compile(rf"^{_UPDATE_HEAD}\s+(?P<target>.+?)(?:'s|s')\s+{_FIELD}(?:{_SEP})(?P<value>.+)$", I)
_U_AFTER = re.compile(rf"^{_UPDATE_HEAD}\s+(?P<target>.+?)\s+{_FIELD}(?:{_SEP})(?P<value>.+)$", I)
_U_FIELD_FIRST = re.compile(
    rf"^{_FIELD}\s+(?:for|of|on|to)\s+(?!self\b)(?P<target>.+?)\s*(?::|=|–|-)\s*(?P<value>.+)$", I
)
_U_EDIT_COLON = re.compile(
    rf"^(?:edit|update|change|fix)\s+(?P<target>.+?)\s*:\s*(?:change|set|make|update)\s+(?:the\s+|its\s+)?{_FIELD}"
    r"\s+(?:to|as)\s+(?P<value>.+)$",
    I,
)
_T_RENAME = re.compile(r"^(?:rename|retitle|re-name|re-title)\s+(?P<rest>.+)$", I)
_T_CHANGE = re.compile(r"^(?P<head>change|update|edit|modify|replace|switch|set)\s+(?P<rest>.+)$", I)
_T_SHOULD = re.compile(
    r"^(?P<target>.+?)\s+should\s+(?:be|say|read|become)\s+(?:called\s+|named\s+)?(?P<value>.+)$",
    I,
)


def split_target_value(rest: str) -> list[tuple[str, str]]:
    """Every way to read "X to Y" (left to right: the planner keeps the first X that names one task)."""
    options = []
    for m in re.finditer(_SEP + r"|\s+with\s+", rest, I):
        target, value = rest[: m.start()].strip(), rest[m.end() :].strip()
        if target and value and not (m.group().strip() == "with" and not re.match(r"replace\b", rest, I)):
            options.append((target, value))
    tail = re.match(r"^(?P<target>.+?)\s*(?P<value>⟨\d+⟩)$", rest)
    if tail:
        options.append((tail.group("target"), tail.group("value")))
    return options


def _update(text: str) -> Intent | None:
    for pattern in (_U_ADD_NOTE, _U_NEEDS, _U_FIELD_FIRST, _U_EDIT_COLON, _U_POSS, _U_AFTER):
        m = pattern.match(text)
        if m:
            return _field_intent(text, m.group("field"), m.group("target"), m.group("value"))
    m = _U_ADD_NOTE_BARE.match(text)
    if m:
        return Intent(Kind.UPDATE, text, description=m.group("value").strip())
    m = _U_CLEAR.match(text) or _U_CLEAR_POSS.match(text)
    if m:
        return Intent(Kind.UPDATE, text, target=m.group("target"), description="")
    m = _U_FIELD_OF.match(text)
    if m:
        options = split_target_value(m.group("rest"))
        if not options:
            return Intent(Kind.UPDATE, text, target=m.group("rest"))  # no new value: ask for it
        target, value = options[0]
        intent = _field_intent(text, m.group("field"), target, value)
        intent.topic = m.group("rest")  # the planner retries the other splits
        return intent
    return None


def _field_intent(text: str, field_name: str, target: str, value: str) -> Intent:
    if field_name.lower() in ("title", "name"):
        return Intent(Kind.UPDATE, text, target=target, new_title=value.strip())
    return Intent(Kind.UPDATE, text, target=target, description=value.strip())


def _rename(text: str) -> Intent | None:
    m = _T_RENAME.match(text) or _T_CHANGE.match(text)
    if m:
        rest = m.group("rest")
        if re.match(r"set\b", text, I) and not split_target_value(rest):
            return None  # "set an alarm": not a rename
        options = split_target_value(rest)
        if not options:
            return Intent(Kind.UPDATE, text, target=rest)
        target, value = options[0]
        if value.lower().strip(" .!") in _DONE_WORDS:
            return Intent(Kind.COMPLETE, text, target=target)
        return Intent(Kind.UPDATE, text, target=target, new_title=value, topic=rest)
    m = _T_SHOULD.match(text)
    if m:
        if m.group("value").lower().strip(" .!") in _DONE_WORDS:
            return Intent(Kind.COMPLETE, text, target=m.group("target"))
        return Intent(Kind.UPDATE, text, target=m.group("target"), new_title=m.group("value"))
    return None


# ------------------------------------------------------------------ add
_DESIRE = r"(?:i\s+|we\s+|i'?ll\s+|i\s+will\s+|we'?ll\s+|i'?d\s+|you\s+)?(?:really\s+|still\s+|also\s+|just\s+)?"
_ADD_PATTERNS = [
    re.compile(r"^(?:add|create|insert)\b(?P<rest>.*)$", I),
    re.compile(
        r"^(?:make|start|open)\s+(?=(?:a\s+|an\s+)?(?:new\s+)?(?:task|todo|to-do|item|reminder|entry)s?\b)(?P<rest>.+)$",
        I,
    ),
    re.compile(r"^(?:jot|write|note|put|set)\s+down\b(?P<rest>.*)$", I),
    re.compile(r"^new\s+(?=(?:task|todo|to-do|item|reminder|entry)s?\b)(?P<rest>.+)$", I),
    re.compile(r"^new\s*(?P<rest>[:–-].+)$", I),
    re.compile(r"^(?:task|todo|to-do|to\s+do|reminder)s?\s*(?P<rest>[:–-].+)$", I),
    re.compile(rf"^(?:put|stick|pop|throw|write|place|get)\s+(?P<rest>.+?)\s+(?:on|onto|in|into|to)\s+{_LIST_REF}$", I),
    re.compile(r"^(?:note\s+to\s+self|memo|reminder\s+to\s+self)\s*[:–-]?\s*(?P<rest>.+)$", I),
    re.compile(
        r"^(?:remind\s+me|don'?t\s+let\s+me\s+forget|don'?t\s+forget|do\s+not\s+forget|remember"
        rf"|{_DESIRE}(?:need|have|want|must|should|ought)\s+to\s+remember)\s+to\s+(?P<rest>.+)$",
        I,
    ),
    re.compile(
        rf"^{_DESIRE}(?:need\s+to|have\s+to|must|should|ought\s+to|gotta|got\s+to|have\s+got\s+to|'ve\s+got\s+to"
        r"|'ll\s+have\s+to|will\s+have\s+to|want\s+to|wanna|need)\s+(?P<rest>.+)$",
        I,
    ),
]
_ADD_LIST = re.compile(
    r"^(?:(?:please\s+)?(?:add|create|new)\b[^:]*\b(?:tasks|todos|to-dos|items|these|following|things|reminders)\s*:"
    r"|.*\b1[).]\s+\S.*\b2[).]\s+\S)",
    I,
)
_NOUNS = r"tasks?|todos?|to-dos?|items?|reminders?|entry|entries|things"
_COUNT = r"\d+|" + "|".join(_NUMBERS)
_ADD_FILLER = re.compile(
    r"^(?:(?:a|an|the|one|another|new|more)\s+)*(?:(?P<plural>these|the\s+following|following)\b\s*)?"
    rf"(?:(?P<count>{_COUNT}|some|few|couple\s+of)\s+(?=(?:new\s+)?(?:{_NOUNS})\b))?"
    rf"(?:(?:new\s+)?(?P<noun>{_NOUNS})\b)?",
    I,
)
_AS_SEPARATE = re.compile(
    rf"\s+as\s+(?P<count>{_COUNT}|separate|individual|different)\s+"
    r"(?:separate\s+)?(?:tasks|todos|to-dos|items|entries)$",
    I,
)
_ADD_CONNECT = re.compile(r"^\s*(?:(?:called|named|titled|saying|that\s+says|to|for|about|of)\b|[:–-])\s*", I)
_LIST_REF_EDGE = re.compile(
    rf"^(?:to|on|onto|in|into)\s+{_LIST_REF}\s*[:–-]?\s*|\s+(?:to|on|onto|in|into)\s+{_LIST_REF}$|\s+to\s+(?:my\s+)?(?:todos|tasks)$",
    I,
)
_DESCRIPTION = re.compile(r"\b(?:description|desc|details|notes?|comment)\b", I)
_DESCRIPTION_LEAD = re.compile(r"(?:\bwith(?:\s+(?:a|the))?|,|;|\s-|–|\(|\band\s+(?:a|the))\s*$", I)
_COMMANDS = frozenset(
    {
        "see",
        "show",
        "list",
        "delete",
        "remove",
        "mark",
        "complete",
        "rename",
        "change",
        "update",
        "add",
        "create",
        "view",
    }
)


def split_description(rest: str) -> tuple[str, str | None]:
    """ "pay rent with description due on the 1st" -> ("pay rent", "due on the 1st"); a title that merely
    contains the word ("review meeting notes") stays whole."""
    for m in _DESCRIPTION.finditer(rest):
        before, after = rest[: m.start()], rest[m.end() :]
        value = after.strip()
        if not value or not before.strip():
            continue
        if re.match(r"\s*[:=]", after):
            value = re.sub(r"^\s*[:=]\s*", "", after)
        elif re.match(r"\s*[–-]\s", after):
            value = re.sub(r"^\s*[–-]\s*", "", after)
        elif not (_DESCRIPTION_LEAD.search(before) or re.fullmatch(r"⟨\d+⟩", value)):
            continue
        title = _DESCRIPTION_LEAD.sub("", before).strip(" ,;(-–")
        return title, value.strip().rstrip(")").strip() or None
    return rest, None


def _add(text: str) -> Intent | None:
    for pattern in _ADD_PATTERNS:
        m = pattern.match(text)
        if m:
            rest = m.group("rest").strip()
            if pattern is _ADD_PATTERNS[-1] or pattern is _ADD_PATTERNS[-2]:
                first = words(rest)[:1]
                if first and first[0] in _COMMANDS:
                    return None  # "I want to see my tasks", "I need to delete ...": read the command instead
            return _new_tasks(text, rest)
    return None


def _new_tasks(text: str, rest: str) -> Intent:
    rest = re.sub(r"^\s*[:–-]\s*", "", rest)
    rest = _LIST_REF_EDGE.sub("", _fix_leading_nouns(rest).strip()).strip()
    count: int | None = None
    plural = False
    filler = _ADD_FILLER.match(rest)
    if filler and (filler.group("noun") or filler.group("count") or filler.group("plural")):
        noun = (filler.group("noun") or "").lower()
        number = (filler.group("count") or "").lower()
        count = int(number) if number.isdigit() else _NUMBERS.get(number)
        plural = count is not None or noun in ("tasks", "items", "reminders", "entries", "things")
        plural = plural or bool(filler.group("plural")) or number in ("some", "few", "couple of")
        rest = _ADD_CONNECT.sub("", rest[filler.end() :], count=1)
    rest = re.sub(r"^(?:really|also|still|just|definitely|probably|actually)\s+", "", rest.strip(), flags=I)
    split_as = _AS_SEPARATE.search(rest)
    if split_as:  # "milk and bread as two tasks"
        number = split_as.group("count").lower()
        count = int(number) if number.isdigit() else _NUMBERS.get(number)
        plural, rest = True, rest[: split_as.start()]
    rest = _LIST_REF_EDGE.sub("", rest).strip()
    title_part, description = split_description(rest)
    title_part = _LIST_REF_EDGE.sub("", title_part.strip()).strip(" ,;:–-")
    if plural or _ADD_LIST.search(text) or len(re.findall(r"⟨\d+⟩", title_part)) > 1:
        titles = split_items(title_part, count)
    else:
        titles = [title_part] if title_part else []
    return Intent(Kind.ADD, text, titles=titles, count=count, description=description)


def _fix_leading_nouns(rest: str) -> str:
    """ "a tsak to feed the cat" -> "a task to feed the cat": typos of "task" right after "add"."""
    out = []
    for i, w in enumerate(rest.split(" ")):
        if i < 3 and len(w) >= 4:
            fixed = closest(w.lower(), _TASK_NOUNS)
            out.append(fixed if fixed and w.lower() not in _PROTECTED else w)
        else:
            out.append(w)
    return " ".join(out)


def split_items(text: str, count: int | None) -> list[str]:
    """ "a, b, and c" / "a; b" / "1) a 2) b" / "'a' and 'b'": the coarsest split that gives several
    items (the one with `count` items when a count was given)."""
    quoted = re.findall(r"⟨\d+⟩", text)
    if len(quoted) > 1 and not re.sub(r"⟨\d+⟩|\band\b|[,;&\s]", "", text, flags=I):
        return quoted
    levels = [
        re.split(r"\s*(?:\b\d+[).]|\n|;)\s*", text),
        re.split(r"\s*,\s*(?:and\s+|&\s*)?", text),
        re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*", text, flags=I),
    ]
    found = [[p.strip(" ,;.") for p in level if p.strip(" ,;.")] for level in levels]
    if count is not None:
        return next((items for items in found if len(items) == count), found[-1])
    return next((items for items in found if len(items) > 1), found[-1])


# ------------------------------------------------------------------ unsupported
_NOT_DONE = (
    r"not\s+(?:yet\s+)?(?:done|complete|completed|finished)|undone|incomplete|uncompleted|unfinished|pending|open"
)
_UNSUPPORTED = [
    (re.compile(rf"\b(?:as|to)\s+(?:{_NOT_DONE})\s*$", I), "reopen"),
    (re.compile(r"^(?:reopen|re-open|uncomplete|unmark|untick|uncheck|undo)\b", I), "reopen"),
    (
        re.compile(
            r"\b(?:due\s+dates?|deadlines?|due\s+(?:on|by)|(?:high|low|top)\s+priority|priorit(?:y|ies|i[sz]e))\b", I
        ),
        "dates",
    ),
    (re.compile(r"\b(?:alarms?|remind\s+me\s+(?:at|on|in|tomorrow|tonight|next)|notify\s+me)\b", I), "alarms"),
    (re.compile(r"\b(?:share|assign|invite|delegate)\b", I), "sharing"),
    (
        re.compile(
            r"\b(?:tags?|labels?|categor(?:y|ies)|recurring|repeat(?:ing)?\s+every|every\s+(?:day|week|month))\b", I
        ),
        "labels",
    ),
]


def _unsupported(text: str) -> Intent | None:
    for pattern, topic in _UNSUPPORTED:
        if pattern.search(text):
            return Intent(Kind.UNSUPPORTED, text, topic=topic)
    return None


# ------------------------------------------------------------------ list
_PENDING = re.compile(
    r"\b(?:pending|open|outstanding|remaining|left|still|unfinished|incomplete|not\s+(?:yet\s+)?(?:done|finished|completed?)"
    r"|(?:haven'?t|have\s+not|hasn'?t|didn'?t|did\s+not|yet\s+to)\s+(?:\w+\s+)?(?:done|finished|completed?|do|finish)"
    r"|to\s+do|need\s+to\s+do|have\s+to\s+do|plate|undone|due)\b",
    I,
)
_COMPLETED = re.compile(r"\b(?:done|finished|completed|complete|ticked|checked\s+off|closed)\b", I)
_LIST_WORD = re.compile(
    r"\b(?:tasks?|todos?|to-dos?|to\s+do|list|plate|agenda|items?|pending|outstanding|remaining|left|open|finished"
    r"|done|completed?|everything|all)\b",
    I,
)
_LIST_HEAD = re.compile(
    r"^(?:show|list|display|view|see|print|give|get|read|tell|fetch|check|pull\s+up|bring\s+up|open)\b(?P<rest>.*)$", I
)
_LIST_QUESTION = re.compile(
    r"^(?:what|what's|whats|what\s+is|what\s+are|which|how\s+many|any|anything|is\s+there|are\s+there|do\s+i|did\s+i"
    r"|have\s+i|can\s+i\s+(?:see|get|have)|could\s+i\s+see|where|got\s+any)\b",
    I,
)
_LIST_BARE = re.compile(
    r"^(?:my\s+|all\s+(?:my\s+)?)?(?:tasks|todos|to-dos|todo\s+list|to-do\s+list|task\s+list|list|pending|completed"
    r"|open\s+tasks|everything)(?:\s+(?:tasks|list))?$",
    I,
)
_ONE_TASK = re.compile(r"(?:\btask\s*#?\s*|#\s*)(\d{1,10})\b", I)


def _list(text: str) -> Intent | None:
    fixed = _fix_words(text, _LIST_WORDS)
    first = re.match(r"([a-z]+)\b(.*)$", fixed, I)
    if first and not _LIST_HEAD.match(fixed) and _LIST_WORD.search(first.group(2)):
        head_word = loose(first.group(1).lower(), frozenset({"show", "list", "view", "display"}))
        fixed = head_word + first.group(2) if head_word else fixed  # "shw my tasks": the rest confirms "show"
    head = _LIST_HEAD.match(fixed)
    if head:
        rest = head.group("rest")
        asks = bool(_LIST_WORD.search(rest)) or not [w for w in words(rest) if w not in ("me", "us", "my", "all")]
    else:
        asks = bool(_LIST_QUESTION.match(fixed) and _LIST_WORD.search(fixed))
    one = _ONE_TASK.search(fixed)
    if one and (head or _LIST_QUESTION.match(fixed)):
        return Intent(Kind.SHOW, text, target=one.group(0))
    if not (asks or _LIST_BARE.match(fixed)):
        return None
    status = "pending" if _PENDING.search(fixed) else "completed" if _COMPLETED.search(fixed) else "all"
    return Intent(Kind.LIST, text, status=status)


# ------------------------------------------------------------------ complete and delete
_DONE = r"(?P<done>[a-z]+)"
_COMPLETE_PATTERNS = [
    re.compile(rf"^(?:mark|set|flag|tick|check|cross|put)\s+(?P<target>.+?)\s+(?:as\s+|to\s+|off\s+as\s+)?{_DONE}$", I),
    re.compile(r"^(?:tick|check|cross|mark)\s+(?P<target>.+?)\s+off$", I),
    re.compile(r"^(?:tick|check|cross|mark)\s+off\s+(?P<target>.+)$", I),
    re.compile(r"^(?:complete|finish|close|resolve)(?:\s+(?P<target>.+))?$", I),
    re.compile(
        r"^(?:i'?m\s+|i\s+am\s+|i'?ve\s+|i\s+have\s+|we'?re\s+)?(?:all\s+)?(?:done|finished|through)\s+with\s+(?P<target>.+)$",
        I,
    ),
    re.compile(r"^(?:done|finished|completed)\s*[:–-]\s*(?P<target>.+)$", I),
    re.compile(
        r"^(?:i\s+|i'?ve\s+|i\s+have\s+|we\s+)?(?:already\s+|just\s+|finally\s+)?"
        r"(?:finished|completed|did|done|ticked\s+off|checked\s+off)\s+(?P<target>.+)$",
        I,
    ),
    re.compile(
        r"^(?P<target>.+?)\s+(?:is|are|was|were|has\s+been|have\s+been|'s|got|get)\s+(?:now\s+|all\s+|already\s+|finally\s+)?"
        r"(?P<done>done|complete|completed|finished|ready|sorted|taken\s+care\s+of|handled|over|paid|sent|fixed)$",
        I,
    ),
    re.compile(r"^(?P<target>.+?)\s+(?:done|finished|completed|complete)$", I),
    re.compile(r"^(?:done|finished|completed|complete)(?P<target>)$", I),
]
_DELETE_PATTERNS = [
    re.compile(
        r"^(?:delete|remove|erase|cancel|scratch|trash|drop|kill|ditch|discard|bin|nuke|get\s+rid\s+of|throw\s+(?:away|out)"
        r"|take\s+off|strike|cross\s+out|wipe|wipe\s+out)(?:\s+(?P<target>.+))?$",
        I,
    ),
    re.compile(rf"^take\s+(?P<target>.+?)\s+off(?:\s+(?:of\s+)?{_LIST_REF})?$", I),
    re.compile(r"^(?:forget|never\s*mind)\s+(?:about\s+)?(?P<target>.+)$", I),
    re.compile(
        r"^(?:i\s+|we\s+)?(?:don'?t|do\s+not|no\s+longer|won'?t)\s+(?:need|have)\s+to\s+(?P<target>.+?)(?:\s+any\s?more)?$",
        I,
    ),
    re.compile(r"^(?:there'?s\s+)?no\s+(?:need|reason)\s+to\s+(?P<target>.+)$", I),
    re.compile(r"^(?P<target>.+?)\s+(?:is|are)\s+(?:no\s+longer\s+needed|not\s+needed|cancell?ed|off)$", I),
]
_TARGET_TAIL = re.compile(
    rf"\s+(?:(?:from|off)(?:\s+of)?\s+{_LIST_REF}|any\s?more|now|for\s+good|too|as\s+well)$|\s+(?:from|off)$", I
)
_NEGATION = re.compile(r"\b(?:not|never|haven'?t|hasn'?t|didn'?t|won'?t|can'?t|cannot|isn'?t|aren'?t|wasn'?t)\b", I)


def _complete(text: str) -> Intent | None:
    m = re.match(r"([a-z]+)\s+.+\s([a-z]+)$", text, I)
    if (
        m
        and m.group(1).lower() not in _HEADS
        and (m.group(2).lower() in _DONE_WORDS or closest(m.group(2).lower(), _DONE_WORDS))
    ):
        head = loose(m.group(1).lower(), frozenset({"mark", "tick", "check", "flag"}))
        text = head + text[m.end(1) :] if head else text  # "marc 3 as done": the ending confirms "mark"
    for i, pattern in enumerate(_COMPLETE_PATTERNS):
        m = pattern.match(text)
        if not m:
            continue
        done = m.groupdict().get("done")
        if i == 0 and done and done.lower() not in _DONE_WORDS and not closest(done.lower(), _DONE_WORDS):
            continue
        if i >= 4 and _NEGATION.search(text):
            return None
        return Intent(Kind.COMPLETE, text, target=_clean_target(m.group("target") or ""))
    return None


def _delete(text: str) -> Intent | None:
    for pattern in _DELETE_PATTERNS:
        m = pattern.match(text)
        if m:
            return Intent(Kind.DELETE, text, target=_clean_target(m.group("target") or ""))
    return None


def _past(text: str) -> Intent | None:
    """ "I called mom", "Paid the electricity bill", "got the water bill paid": done, said in the past."""
    if _NEGATION.search(text):
        return None
    m = re.match(
        r"^(?:i\s+|i'?ve\s+|i\s+have\s+|we\s+|we'?ve\s+)?(?:already\s+|just\s+|finally\s+|also\s+)?(?P<target>(?P<verb>[a-z]+)\b.*)$",
        text,
        I,
    )
    if m and is_past(m.group("verb")) and len(words(m.group("target"))) >= 2:
        return Intent(Kind.COMPLETE, text, target=_clean_target(m.group("target")), past=True)
    return None


_PARTICIPLE = re.compile(
    r"^(?P<subject>.+?)(?P<copula>\s+(?:is|are|was|were|has\s+been|have\s+been|got|all))?"
    r"\s+(?:now\s+|already\s+|finally\s+)?(?P<verb>[a-z]+)"
    r"(?P<tail>\s+(?:to|for|from|with|at|on|by|off|out|up|in|back|into)\b.*)?$",
    I,
)


def _participle(text: str) -> Intent | None:
    """ "card sent to grandma", "the library books are returned", "licence renewed": the task's own
    verb, in the past, after the thing done. The verb must be in the title (so "milk expired" is
    nothing); the bare form ("mom called", which may mean she called you) is only proposed."""
    if _NEGATION.search(text) or "?" in text:
        return None
    m = _PARTICIPLE.match(text)
    if not m or not is_past(m.group("verb")) or m.group("verb").lower() in _DONE_WORDS:
        return None
    target = _clean_target(f"{m.group('subject')} {m.group('verb')}{m.group('tail') or ''}")
    bare = not (m.group("copula") or m.group("tail"))
    return Intent(Kind.COMPLETE, text, target=target, confirm=bare)


def _clean_target(target: str) -> str:
    previous = None
    while previous != target:
        previous = target
        target = _TARGET_TAIL.sub("", target.strip(" ,.!?")).strip()
    return target


# ------------------------------------------------------------------ reading one clause
def read(clause: str) -> Intent:
    """One clause -> one intent (Kind.UNKNOWN when nothing fits)."""
    social = _social(clause)
    if social is not None:
        return Intent(social, clause)
    text = strip_politeness(clause)
    if not text:
        thanks = re.match(r"(?:thanks|thank|cheers|thx|ty)\b", clause, I)
        return Intent(Kind.THANKS if thanks else Kind.GREET, clause)
    social = _social(text)
    if social is not None:
        return Intent(social, text)
    text = fix_head(text)
    text = re.sub(
        rf"^{_DESIRE}(?:want|need|would\s+like|'d\s+like)\s+to\s+(?=(?:{'|'.join(_COMMANDS)})\b)", "", text, flags=I
    )
    for reader in (_bulk, _update, _add, _unsupported, _rename, _list, _complete, _delete, _past, _participle):
        intent = reader(text)
        if intent is not None:
            intent.text = text
            return intent
    return Intent(Kind.UNKNOWN, text)
