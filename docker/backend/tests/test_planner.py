"""The local provider's planner, without a database: what it plans, and above all what it refuses to
guess. (tests/chat_eval scores it on everyday messages through the real API.)"""

from __future__ import annotations

import pytest

from app.agent.planner import Call, Plan, TaskView, plan, result_line

TASKS = [
    TaskView(11, "Buy groceries", None, False),
    TaskView(12, "Call mom", None, False),
    TaskView(13, "Pay water bill", None, False),
    TaskView(14, "Pay electricity bill", None, True),
    TaskView(15, "Review PR #42", None, False),
]


def calls(p: Plan) -> list[tuple[str, dict]]:
    return [(c.tool, c.args) for c in p.calls]


def ask(message: str, history: list[dict[str, str]] | None = None, tasks: list[TaskView] = TASKS) -> Plan:
    return plan(message, history or [], tasks)


def after(reply: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": "..."}, {"role": "assistant", "content": reply}]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ('Add "Plan party" with description: book venue, send invites', [("Plan party", "book venue, send invites")]),
        ("add pay rent with description due on the 1st", [("Pay rent", "due on the 1st")]),
        ("add review meeting notes", [("Review meeting notes", None)]),
        (
            "add three tasks: bread, call the plumber, and book a haircut",
            [("Bread", None), ("Call the plumber", None), ("Book a haircut", None)],
        ),
        ("add 'buy bread' and 'call the plumber'", [("buy bread", None), ("call the plumber", None)]),
        ("add buy bread and milk", [("Buy bread and milk", None)]),
        ("Could you add 'renew passport' to my list? Thanks!", [("renew passport", None)]),
        ("don't let me forget to renew my passport", [("Renew my passport", None)]),
        ("ad buy milk", [("Buy milk", None)]),
        ("add a tsak to feed the cat", [("Feed the cat", None)]),
    ],
)  # fmt: skip
def test_new_tasks_get_exactly_the_title_and_description_meant(message: str, expected: list) -> None:
    p = ask(message)
    assert p.say == []
    assert [(c.args["title"], c.args.get("description")) for c in p.calls] == expected
    assert all(c.tool == "add_task" for c in p.calls)


@pytest.mark.parametrize(
    "message",
    [
        "add three tasks: bread, milk",  # the count disagrees with the list
        'add "unclosed quote to my list',  # quote residue would end up in the title
        "add",
        "add milk and bread as two tasks please as tasks",
    ],
)
def test_a_doubtful_new_task_is_a_question_not_a_write(message: str) -> None:
    p = ask(message)
    assert p.calls == [] and any("?" in s or "quotes" in s for s in p.say), p.say


def test_ids_titles_stems_and_typos_find_the_task() -> None:
    assert calls(ask("complete 11 and 13")) == [("complete_task", {"task_id": 11}), ("complete_task", {"task_id": 13})]
    assert calls(ask("I bought the groceries")) == [("complete_task", {"task_id": 11})]
    assert calls(ask("grocery shopping done")) == [("complete_task", {"task_id": 11})]
    assert calls(ask("delte the water bill")) == [("delete_task", {"task_id": 13})]
    assert calls(ask("mark call mom as doen")) == [("complete_task", {"task_id": 12})]
    assert calls(ask("complete Review PR #42")) == [("complete_task", {"task_id": 15})]  # "#42" is in the title


def test_two_matching_tasks_get_a_question_then_the_answer_acts() -> None:
    first = ask("delete the bill")
    assert first.calls == []
    assert first.say == ['Which one should I delete: task 13 "Pay water bill" or task 14 "Pay electricity bill"?']
    history = after(first.say[0])
    assert calls(ask("the water one", history)) == [("delete_task", {"task_id": 13})]
    assert calls(ask("the second", history)) == [("delete_task", {"task_id": 14})]
    assert calls(ask("14", history)) == [("delete_task", {"task_id": 14})]
    assert ask("no", history).calls == []
    assert calls(ask("add buy milk", history)) == [("add_task", {"title": "Buy milk"})]  # a new request instead


def test_a_rename_that_could_mean_two_tasks_asks_and_remembers_the_new_title() -> None:
    first = ask("rename the bill task to Pay the gas bill")
    assert first.calls == [] and 'rename to "Pay the gas bill"' in first.say[0]
    assert calls(ask("the water one", after(first.say[0]))) == [
        ("update_task", {"task_id": 13, "title": "Pay the gas bill"})
    ]


def test_bulk_changes_are_confirmed_with_the_count_and_act_on_what_was_shown() -> None:
    first = ask("remove all completed")
    assert first.calls == []
    assert first.say[0].splitlines() == [
        "Delete the 1 completed task?",
        '- task 14 "Pay electricity bill"',
        'Say "yes" to delete it, or "no" to leave it as it is.',
    ]
    history = after(first.say[0])
    # "yes" deletes what the question listed, even if more tasks were completed since
    more_done = [*TASKS[:3], TASKS[3], TaskView(15, "Review PR #42", None, True)]
    assert calls(ask("yes", history, more_done)) == [("delete_task", {"task_id": 14})]
    assert ask("no", history).calls == []
    assert calls(ask("actually, add buy bread", history)) == [("add_task", {"title": "Buy bread"})]
    assert ask("yes").calls == []  # nothing was asked


def test_everything_done_asks_with_the_number_of_pending_tasks() -> None:
    first = ask("mark everything as done")
    assert first.say[0].startswith("Mark the 4 pending tasks as done?")
    assert calls(ask("sure", after(first.say[0]))) == [("complete_task", {"task_id": i}) for i in (11, 12, 13, 15)]


def test_it_is_the_one_task_just_mentioned_and_a_question_otherwise() -> None:
    assert ask("mark it done").calls == []
    assert calls(ask("mark it done", after('Added task 12 "Call mom".'))) == [("complete_task", {"task_id": 12})]
    assert calls(ask("callled mom, mark it done")) == [("complete_task", {"task_id": 12})]


@pytest.mark.parametrize(
    "message",
    [
        "delete the bill and the groceries",  # one part is ambiguous: nothing at all happens
        "complete 11 and the dentist",  # one part matches nothing
        "I haven't called mom",
        "milk expired",  # a past form whose verb is not the task's
        "mom called",  # may mean she called you: proposed, not done
        "shop for a coat",  # a real word, not a typo of "show"
        "set a due date for call mom to Friday",
        "mark the electricity bill as not done",
        "tell me a joke",
    ],
)
def test_uncertain_messages_change_nothing(message: str) -> None:
    p = ask(message)
    assert [c for c in p.calls if c.tool != "list_tasks"] == [], p
    assert p.say


def test_mom_called_is_proposed_and_yes_marks_it_done() -> None:
    first = ask("mom called")
    assert first.say == [
        'Should I mark task 12 "Call mom" as done? Say "yes" to mark it done, or "no" to leave it as it is.'
    ]
    assert calls(ask("yes", after(first.say[0]))) == [("complete_task", {"task_id": 12})]


def test_a_split_that_means_nothing_alone_stays_one_request() -> None:
    assert calls(ask("add call the plumber and show him the leak")) == [
        ("add_task", {"title": "Call the plumber and show him the leak"})
    ]


def test_updates_by_title_id_and_description() -> None:
    assert calls(ask("rename 'Call mom' to 'Call mum'")) == [("update_task", {"task_id": 12, "title": "Call mum"})]
    assert calls(ask("change groceries to buy groceries at Lidl")) == [
        ("update_task", {"task_id": 11, "title": "Buy groceries at Lidl"})
    ]
    assert calls(ask("add a note to the water bill: pay by card")) == [
        ("update_task", {"task_id": 13, "description": "pay by card"})
    ]
    assert calls(ask("clear the description of 11")) == [("update_task", {"task_id": 11, "description": ""})]
    assert ask("rename call mom").say == [
        'What should I change task 12 "Call mom" to? For example: rename task 12 to "New title".'
    ]


def test_lists_and_social_messages() -> None:
    assert calls(ask("what's on my plate?")) == [("list_tasks", {"status": "pending"})]
    assert calls(ask("what have I finished")) == [("list_tasks", {"status": "completed"})]
    assert calls(ask("show everything")) == [("list_tasks", {"status": "all"})]
    assert [(c.tool, c.focus) for c in ask("what's task 12 about?").calls] == [("list_tasks", 12)]
    for message in ("hi", "thanks!", "help", "?", "ok bye"):
        assert ask(message).calls == [] and ask(message).say


def test_replies_name_each_change_by_id_and_title() -> None:
    before = {t.id: t for t in TASKS}
    rename = result_line(
        "update_task", {"task_id": 12, "title": "Call mum"}, {"task_id": 12, "title": "Call mum"}, before, None
    )
    assert rename == 'Renamed task 12 "Call mom" to "Call mum".'
    note = result_line(
        "update_task",
        {"task_id": 13, "description": "by card"},
        {"task_id": 13, "title": "Pay water bill"},
        before,
        None,
    )
    assert note == 'Set the description of task 13 "Pay water bill" to "by card".'
    added = result_line("add_task", {"title": "X", "description": "y"}, {"task_id": 16, "title": "X"}, before, None)
    assert added == 'Added task 16 "X" with the description "y".'
    assert (
        result_line("delete_task", {"task_id": 99}, {"error": "Task 99 not found"}, before, None)
        == "Task 99 not found."
    )


def test_the_plan_is_deterministic_and_never_mutates_its_input() -> None:
    snapshot = list(TASKS)
    assert ask("delete the bill") == ask("delete the bill")
    assert snapshot == TASKS
    assert isinstance(ask("add milk").calls[0], Call)


@pytest.mark.parametrize(
    "message",
    [
        "'" * 4000,
        '"a" ' * 999,
        "rename " + "x to " * 799,
        "add " + "x, " * 1300,
        "⟨0⟩ ⟨1⟩ add ⟨2⟩",  # marker look-alikes typed by the user are plain text
        "add \x00 nul",
        "mark " + "a " * 1995 + "done",
        "ＡＤＤ ｂｕｙ ｍｉｌｋ",  # full-width letters read as their plain forms
    ],
)
def test_hostile_messages_get_an_answer_and_no_oversized_or_broken_write(message: str) -> None:
    p = ask(message)
    assert p.calls or p.say
    for c in p.calls:
        title = c.args.get("title")
        assert title is None or (0 < len(title) <= 200 and "⟨" not in title)
