"""The audit (chaos.audit.Ledger): what a read-back must show after acknowledged writes."""

from __future__ import annotations

from typing import Any

from chaos.audit import Ledger

PREFIX = "run-1 #"


def task(task_id: int, title: str, completed: bool = False) -> dict[str, Any]:
    return {"id": task_id, "title": title, "completed": completed}


def test_every_acknowledged_create_read_back_is_clean() -> None:
    led = Ledger()
    led.created(f"{PREFIX}1", 10)
    led.created(f"{PREFIX}2", 11)
    got = led.verify([task(10, f"{PREFIX}1"), task(11, f"{PREFIX}2")], PREFIX)
    assert (got["acknowledged"], got["lost"], got["duplicates"], got["wrong_state"]) == (2, 0, 0, 0)
    assert got["read_back"] == 2


def test_a_missing_acknowledged_create_is_lost() -> None:
    led = Ledger()
    led.created(f"{PREFIX}1", 10)
    led.created(f"{PREFIX}2", 11)
    got = led.verify([task(10, f"{PREFIX}1")], PREFIX)
    assert got["lost"] == 1 and got["lost_titles"] == [f"{PREFIX}2"]


def test_an_unacknowledged_create_is_never_lost_but_counted_when_stored() -> None:
    led = Ledger()
    led.create_failed(f"{PREFIX}1")
    led.create_failed(f"{PREFIX}2")
    got = led.verify([task(10, f"{PREFIX}1")], PREFIX)
    assert got["lost"] == 0 and got["not_acknowledged"] == 2 and got["not_acknowledged_but_stored"] == 1


def test_a_title_stored_twice_is_a_duplicate() -> None:
    led = Ledger()
    led.created(f"{PREFIX}1", 10)
    got = led.verify([task(10, f"{PREFIX}1"), task(12, f"{PREFIX}1")], PREFIX)
    assert got["duplicates"] == 1 and got["lost"] == 0


def test_acknowledged_changes_must_be_visible() -> None:
    led = Ledger()
    led.created("a", 1)
    led.created("b", 2)
    led.created("c", 3)
    led.changed("a", title="a2")
    led.changed("b", completed=True)
    led.changed("c", deleted=True)
    clean = led.verify([task(1, "a2"), task(2, "b", completed=True)], PREFIX)
    assert (clean["lost"], clean["wrong_state"], clean["resurrected"]) == (0, 0, 0)
    stale = led.verify([task(1, "a"), task(2, "b"), task(3, "c")], PREFIX)
    assert stale["wrong_state"] == 2 and stale["resurrected"] == 1
    assert stale["wrong_titles"] == ["a", "b"] and stale["resurrected_titles"] == ["c"]


def test_a_change_without_an_answer_leaves_the_task_out() -> None:
    led = Ledger()
    led.created("a", 1)
    led.unsure("a", "delete timed out")
    got = led.verify([], PREFIX)
    assert got["lost"] == 0 and got["uncertain"] == 1


def test_a_create_whose_id_was_unreadable_is_found_by_title() -> None:
    led = Ledger()
    led.created("a", -1)
    assert led.verify([task(7, "a")], PREFIX)["lost"] == 0
    assert led.verify([], PREFIX)["lost"] == 1
