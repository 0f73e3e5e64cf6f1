"""The case file: the shipped set is valid and big enough, and a broken file names what is wrong and where."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.chat_eval.__main__ import main
from tests.chat_eval.cases import CaseError, load_cases

INTENTS = {
    "add", "list", "complete", "delete", "update", "bulk", "multi",
    "typo", "polite", "ambiguous", "greeting", "help", "out_of_scope",
}  # fmt: skip


def test_the_set_has_at_least_200_messages_over_every_intent() -> None:
    cases = load_cases()
    assert sum(len(c.turns) for c in cases) >= 200
    counts = Counter(c.intent for c in cases)
    assert set(counts) == INTENTS
    assert min(counts.values()) >= 7, counts
    assert any(len(c.turns) > 1 for c in cases), "bulk confirmation needs multi-turn cases"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cases.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("cases: 3", "expected a mapping with a 'cases' list"),
        ("cases: [{id: a, intent: add, seed: nope, message: hi}]", "case 'a': unknown seed 'nope'"),
        ("cases: [{id: a, intent: add, tasks: [], message: 'x {2}'}]", "case 'a': turn 1: message refers to task {2}"),
        ("cases: [{id: a, intent: add, tasks: [], message: x, expect: {delete: [1]}}]", "delete: 1 is not a task"),
        (
            "cases: [{id: a, intent: add, tasks: [], message: x, expect: {wat: 1}}]",
            "case 'a': turn 1: expect: unknown key",
        ),
        ("cases: [{id: a, intent: add, tasks: [], message: x}, {id: a, intent: add, tasks: [], message: y}]", "dup"),
        ("cases: [{id: a, intent: add, tasks: [{title: ''}], message: x}]", "task 1: 'title' must be"),
        ("cases: [{id: a, intent: add, tasks: [], turns: []}]", "case 'a': 'turns' must be a non-empty list"),
        (
            "cases: [{id: a, intent: add, tasks: [], message: x, expect: {question: yes, add: [{title: t}]}}]",
            "question",
        ),
        ("cases: [{id: a, intent: add, tasks: [], message: [x}", "cannot read"),
    ],
)
def test_a_broken_case_file_names_the_case_and_field(tmp_path: Path, text: str, error: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(CaseError) as info:
        load_cases(path)
    assert str(path) in str(info.value) and error in str(info.value)


def test_cli_rejects_unknown_intent_and_openai_without_key(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["--intent", "nope"]) == 2
    assert "unknown intent 'nope'" in capsys.readouterr().err
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert main(["--provider", "openai"]) == 2
    assert "needs OPENAI_API_KEY" in capsys.readouterr().err
    assert main(["--case", "no-such-case-id"]) == 2
    assert "no case matches" in capsys.readouterr().err
