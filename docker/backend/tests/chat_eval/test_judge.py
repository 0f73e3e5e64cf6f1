"""The judge: unexpected changes are wrong writes, shortfalls are misses, and the reply must name what changed."""

from __future__ import annotations

from tests.chat_eval.cases import Change, Expect, NewTask
from tests.chat_eval.judge import MISS, RIGHT, WRONG_WRITE, TaskState, judge, mentions, norm

IDS = [10, 11, 12]
BEFORE = {
    10: TaskState("Buy groceries", None, False),
    11: TaskState("Call mom", "weekly", False),
    12: TaskState("Pay bill", None, True),
}


def after(**changes: TaskState | None) -> dict[int, TaskState]:
    out = dict(BEFORE)
    for key, state in changes.items():
        tid = int(key[1:])
        if state is None:
            del out[tid]
        else:
            out[tid] = state
    return out


def test_expected_add_named_in_reply_is_right() -> None:
    state = {**BEFORE, 13: TaskState("Buy milk", None, False)}
    v = judge(Expect(add=(NewTask(("buy milk",)),)), IDS, BEFORE, state, 'Added task 13 "Buy milk".', [])
    assert (v.outcome, v.reasons) == (RIGHT, [])


def test_add_with_a_wrong_title_is_a_wrong_write() -> None:
    state = {**BEFORE, 13: TaskState("Buy milk to my list", None, False)}
    v = judge(Expect(add=(NewTask(("buy milk",)),)), IDS, BEFORE, state, "Added Buy milk to my list", [])
    assert v.outcome == WRONG_WRITE
    assert v.reasons == ["added task 13 'Buy milk to my list'", "did not add 'buy milk'"]


def test_add_with_an_unasked_description_is_a_wrong_write() -> None:
    state = {**BEFORE, 13: TaskState("Buy milk", "thanks", False)}
    v = judge(Expect(add=(NewTask(("buy milk",)),)), IDS, BEFORE, state, "Added Buy milk", [])
    assert v.outcome == WRONG_WRITE


def test_any_listed_alternative_title_is_right() -> None:
    state = {**BEFORE, 13: TaskState("Renew passport", None, False)}
    expect = Expect(add=(NewTask(("renew my passport", "renew passport")),))
    assert judge(expect, IDS, BEFORE, state, "Added renew passport.", []).outcome == RIGHT


def test_nothing_done_when_an_action_was_expected_is_a_miss() -> None:
    v = judge(Expect(complete=frozenset({1})), IDS, BEFORE, BEFORE, "You have 3 tasks", [])
    assert (v.outcome, v.reasons) == (MISS, ["did not complete task 10 'Buy groceries'"])


def test_completing_the_wrong_task_is_a_wrong_write() -> None:
    state = after(t11=TaskState("Call mom", "weekly", True))
    v = judge(Expect(complete=frozenset({1})), IDS, BEFORE, state, "Done: Call mom", [])
    assert v.outcome == WRONG_WRITE
    assert "completed task 11 'Call mom'" in v.reasons


def test_deleting_an_unexpected_task_is_a_wrong_write() -> None:
    v = judge(Expect(delete=frozenset({1})), IDS, BEFORE, after(t10=None, t11=None), "Deleted", [])
    assert v.outcome == WRONG_WRITE and "deleted task 11 'Call mom'" in v.reasons


def test_rename_to_an_other_title_is_a_wrong_write_and_right_title_is_right() -> None:
    expect = Expect(update={2: Change(titles=("Call mum",))})
    quoted = after(t11=TaskState("'Call mum'", "weekly", False))  # quotes around a title do not count
    assert judge(expect, IDS, BEFORE, quoted, 'Renamed task 11 to "Call mum".', []).outcome == RIGHT
    bad = judge(expect, IDS, BEFORE, after(t11=TaskState("to Call mum", "weekly", False)), "Renamed", [])
    assert bad.outcome == WRONG_WRITE and "expected 'Call mum'" in bad.reasons[0]
    good = judge(expect, IDS, BEFORE, after(t11=TaskState("Call mum", "weekly", False)), "Renamed 11 to Call mum", [])
    assert good.outcome == RIGHT


def test_description_change_not_asked_for_is_a_wrong_write() -> None:
    expect = Expect(update={2: Change(titles=("Call mum",))})
    state = after(t11=TaskState("Call mum", "to Call mum", False))
    assert judge(expect, IDS, BEFORE, state, "Call mum", []).outcome == WRONG_WRITE


def test_empty_description_equals_none() -> None:
    expect = Expect(update={2: Change(description="")})
    state = after(t11=TaskState("Call mom", None, False))
    assert judge(expect, IDS, BEFORE, state, "Cleared the description of Call mom", []).outcome == RIGHT


def test_reply_must_name_each_change() -> None:
    state = after(t10=None)
    v = judge(Expect(delete=frozenset({1})), IDS, BEFORE, state, "Deleted 1 task.", [])
    assert (v.outcome, v.reasons) == (MISS, ["reply does not name 'Buy groceries'"])


def test_question_expected_needs_a_question_mark_and_no_change() -> None:
    expect = Expect(question=True, mentions=("Call mom",))
    assert judge(expect, IDS, BEFORE, BEFORE, "Which one: Call mom or Pay bill?", []).outcome == RIGHT
    assert judge(expect, IDS, BEFORE, BEFORE, "I couldn't find it. Call mom", []).outcome == MISS
    assert judge(expect, IDS, BEFORE, after(t11=None), "Call mom?", []).outcome == WRONG_WRITE


def test_mentions_absent_and_no_tools() -> None:
    expect = Expect(mentions=("Buy groceries",), absent=("Pay bill",), no_tools=True)
    assert judge(expect, IDS, BEFORE, BEFORE, "1: Buy groceries", []).outcome == RIGHT
    v = judge(expect, IDS, BEFORE, BEFORE, "Buy groceries, Pay bill", [{"tool": "list_tasks"}])
    assert v.reasons == ["called list_tasks instead of just answering", "reply mentions 'Pay bill'"]


def test_numbers_are_mentioned_only_as_whole_numbers() -> None:
    assert mentions("Delete all 2 completed tasks?", "2")
    assert not mentions("task 12 and task 20", "2")


def test_norm_ignores_case_quotes_punctuation_and_spaces() -> None:
    assert norm(" “Buy   Milk!” ") == norm("buy milk") == "buy milk"
    assert norm(None) == norm("") == ""
