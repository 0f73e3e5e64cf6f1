"""The chat evaluation set (tests/chat_eval/cases.yaml) through the real API: the local provider
passes with no wrong write and at least 90 % of the cases right. `make chat-eval` prints the same
scores; `make chat-eval CHAT_EVAL_PROVIDER=openai` applies the same bar to the openai provider,
which needs an account this suite does not have."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.chat_eval.cases import load_cases
from tests.chat_eval.report import failures, passed, scores, table
from tests.chat_eval.runner import run_cases


def test_local_provider_meets_the_bar(client: TestClient) -> None:
    results = run_cases(client, load_cases())
    assert passed(scores(results)[1]), table(results) + "\n" + failures(results)
