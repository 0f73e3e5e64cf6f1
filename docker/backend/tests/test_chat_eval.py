"""The chat evaluation set (tests/chat_eval/cases.yaml) through the real API: a provider passes with
no wrong write and at least 90 % of the cases right. `make chat-eval` prints the same scores."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.chat_eval.cases import load_cases
from tests.chat_eval.report import failures, passed, scores, table
from tests.chat_eval.runner import run_cases


def check(client: TestClient) -> None:
    results = run_cases(client, load_cases())
    assert passed(scores(results)[1]), table(results) + "\n" + failures(results)


def test_local_provider_meets_the_bar(client: TestClient) -> None:
    check(client)


def test_openai_provider_meets_the_bar(app_factory: Callable[..., TestClient]) -> None:
    if not os.environ.get("OPENAI_API_KEY"):
        pytest.skip("OPENAI_API_KEY is not set: the chat evaluation set ran against the local provider only")
    check(app_factory(chat_provider="openai"))
