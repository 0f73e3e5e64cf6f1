"""The audit: every write the server acknowledged, and what reading the tasks back must show.

A write that got no acknowledgement (an error, a timeout) may or may not have happened: its task
is left out of the comparison and counted as such, never counted as lost. Titles are unique per
run, so a task is known by the title it was created with, before the server gives it an id.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any


@dataclass
class Expected:
    """What the server acknowledged about one task."""

    title: str
    task_id: int  # -1 when the 201's body could not be read (then it is found by title)
    completed: bool = False
    deleted: bool = False
    uncertain: str = ""  # why its final state is unknown (a change that got no answer)


class Ledger:
    """Acknowledged creates, changes and deletes (thread-safe), checked against a read-back."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.tasks: dict[str, Expected] = {}  # by the title it was created with
        self.unacked: list[str] = []  # creates without a 201: may or may not exist

    def created(self, title: str, task_id: int, completed: bool = False) -> None:
        with self.lock:
            self.tasks[title] = Expected(title, task_id, completed)

    def create_failed(self, title: str) -> None:
        with self.lock:
            self.unacked.append(title)

    def changed(
        self, key: str, *, title: str | None = None, completed: bool | None = None, deleted: bool = False
    ) -> None:
        """An acknowledged update (new title), toggle (new state) or delete of task `key`."""
        with self.lock:
            t = self.tasks[key]
            if title is not None:
                t.title = title
            if completed is not None:
                t.completed = completed
            t.deleted = t.deleted or deleted

    def unsure(self, key: str, why: str) -> None:
        """A change of task `key` got no answer: whether it happened is unknown."""
        with self.lock:
            self.tasks[key].uncertain = why

    @property
    def acked(self) -> dict[str, int]:
        """Title -> id of every acknowledged create."""
        with self.lock:
            return {k: t.task_id for k, t in self.tasks.items()}

    def verify(self, items: list[dict[str, Any]], prefix: str) -> dict[str, Any]:
        """Compares a read-back (every task of the account) with what was acknowledged: lost
        (an acknowledged, not deleted task is missing), wrong (present with another title or
        completion than acknowledged), resurrected (an acknowledged delete is still there),
        duplicates (a title of this run stored twice)."""
        with self.lock:
            tasks = dict(self.tasks)
            unacked = list(self.unacked)
        by_id = {it["id"]: it for it in items}
        seen: dict[str, int] = {}
        for it in items:
            seen[it["title"]] = seen.get(it["title"], 0) + 1
        lost: list[str] = []
        wrong: list[str] = []
        resurrected: list[str] = []
        uncertain = 0
        for key, t in tasks.items():
            if t.uncertain:
                uncertain += 1
                continue
            found = by_id.get(t.task_id) if t.task_id >= 0 else None
            present = found is not None or (t.task_id < 0 and t.title in seen)
            if t.deleted:
                if present:
                    resurrected.append(key)
            elif not present:
                lost.append(key)
            elif found is not None and (found["title"] != t.title or bool(found["completed"]) != t.completed):
                wrong.append(key)
        dups = sorted(title for title, n in seen.items() if n > 1 and title.startswith(prefix))
        return {
            "acknowledged": len(tasks),
            "lost": len(lost),
            "duplicates": len(dups),
            "wrong_state": len(wrong),
            "resurrected": len(resurrected),
            "uncertain": uncertain,
            "not_acknowledged": len(unacked),
            "not_acknowledged_but_stored": sum(1 for title in unacked if title in seen),
            "read_back": sum(1 for title in seen if title.startswith(prefix)),
            "lost_titles": sorted(lost)[:50],
            "duplicate_titles": dups[:50],
            "wrong_titles": sorted(wrong)[:50],
            "resurrected_titles": sorted(resurrected)[:50],
        }
