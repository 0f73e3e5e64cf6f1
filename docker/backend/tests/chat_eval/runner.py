"""Runs evaluation cases through the real API: a fresh account per case, its tasks seeded over
REST, each message sent to POST /api/{user_id}/chat, the task list compared before and after."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
from fastapi.testclient import TestClient

if TYPE_CHECKING:
    import httpx2  # what TestClient answers with

from tests.chat_eval.cases import PLACEHOLDER, Case
from tests.chat_eval.judge import MISS, Snapshot, TaskState, Verdict, judge, worst
from tests.conftest import User, register


@dataclass
class TurnResult:
    message: str
    reply: str
    tool_calls: list[dict[str, Any]]
    verdict: Verdict


@dataclass
class CaseResult:
    case: Case
    turns: list[TurnResult] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        return worst([t.verdict.outcome for t in self.turns])


class EvalRunner:
    """Runs cases against one app client (TestClient or an httpx.Client on a live server)."""

    def __init__(self, client: TestClient | httpx.Client) -> None:
        self.client = client
        self._foreign_id: int | None = None

    def foreign_task_id(self) -> int:
        """{missing}: the id of a task that exists but belongs to another account."""
        if self._foreign_id is None:
            other = register(self.client)
            self._foreign_id = self._create(other, "Someone else's task", None)
        return self._foreign_id

    def run(self, case: Case) -> CaseResult:
        user = register(self.client)
        seed_ids = []
        for seed in case.tasks:
            tid = self._create(user, seed.title, seed.description)
            if seed.completed:
                self._check(
                    self.client.put(f"/api/{user.id}/tasks/{tid}", headers=user.headers, json={"completed": True})
                )
            seed_ids.append(tid)
        result = CaseResult(case)
        conversation_id: int | None = None
        for turn in case.turns:
            message = PLACEHOLDER.sub(lambda m: self._substitute(m.group(1), seed_ids), turn.message)
            before = self._snapshot(user)
            body: dict[str, Any] = {"message": message}
            if conversation_id is not None:
                body["conversation_id"] = conversation_id
            r = self.client.post(f"/api/{user.id}/chat", headers=user.headers, json=body)
            after = self._snapshot(user)
            if r.status_code == 200:
                data = r.json()
                conversation_id = data["conversation_id"]
                reply, calls = str(data["response"]), list(data["tool_calls"])
                verdict = judge(turn.expect, seed_ids, before, after, reply, calls)
            else:
                reply, calls = f"HTTP {r.status_code}: {r.text[:200]}", []
                verdict = judge(turn.expect, seed_ids, before, after, "", [])
                verdict.outcome = worst([verdict.outcome, MISS])
                verdict.reasons.insert(0, f"chat answered HTTP {r.status_code}")
            result.turns.append(TurnResult(message, reply, calls, verdict))
        return result

    def _substitute(self, ref: str, seed_ids: list[int]) -> str:
        return str(self.foreign_task_id() if ref == "missing" else seed_ids[int(ref) - 1])

    def _create(self, user: User, title: str, description: str | None) -> int:
        body = {"title": title, "description": description}
        return int(self._check(self.client.post(f"/api/{user.id}/tasks", headers=user.headers, json=body))["id"])

    def _snapshot(self, user: User) -> Snapshot:
        rows = self._check(self.client.get(f"/api/{user.id}/tasks", headers=user.headers))
        return {int(t["id"]): TaskState(t["title"], t["description"], bool(t["completed"])) for t in rows}

    @staticmethod
    def _check(r: httpx.Response | httpx2.Response) -> Any:
        if r.status_code >= 300:
            raise RuntimeError(f"{r.request.method} {r.request.url.path} answered {r.status_code}: {r.text[:200]}")
        return r.json()


def run_cases(
    client: TestClient | httpx.Client, cases: list[Case], progress: Callable[[CaseResult], None] | None = None
) -> list[CaseResult]:
    runner = EvalRunner(client)
    results = []
    for case in cases:
        result = runner.run(case)
        results.append(result)
        if progress is not None:
            progress(result)
    return results
