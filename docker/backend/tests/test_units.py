"""Small pure functions: URL normalisation, backoff, config errors that hide values."""

from __future__ import annotations

import pytest
from fastapi import APIRouter
from pydantic import ValidationError
from sqlalchemy import text

from app.api.deps import DB
from app.core.config import Settings, normalize_database_url
from app.core.db import BACKOFF_BASE_SECONDS, BACKOFF_CAP_SECONDS, backoff_delay
from app.serve import describe_errors


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://u:p@h:5432/d", "postgresql+psycopg://u:p@h:5432/d"),
        ("postgres://u:p@h/d", "postgresql+psycopg://u:p@h/d"),
        ("postgresql+psycopg://u:p@h/d", "postgresql+psycopg://u:p@h/d"),
        (
            "postgresql://u:p@ep-x.eu-central-1.aws.neon.tech/neondb?sslmode=require",
            "postgresql+psycopg://u:p@ep-x.eu-central-1.aws.neon.tech/neondb?sslmode=require",
        ),
    ],
)
def test_database_urls_are_normalised_for_psycopg3(url: str, expected: str) -> None:
    assert normalize_database_url(url) == expected


def test_other_database_urls_are_rejected() -> None:
    with pytest.raises(ValueError, match="DATABASE_URL"):
        normalize_database_url("mysql://u:p@h/d")


def test_backoff_grows_is_capped_and_jittered() -> None:
    for attempt in range(12):
        ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**attempt)
        for _ in range(20):
            assert ceiling * 0.5 <= backoff_delay(attempt) <= ceiling
    assert len({round(backoff_delay(3), 6) for _ in range(20)}) > 1


def test_config_errors_name_keys_but_never_values() -> None:
    with pytest.raises(ValidationError) as info:
        Settings(_env_file=None, database_url="mysql://u:hunter2@h/d", jwt_secret="short-secret-x")  # type: ignore[call-arg]
    text = describe_errors(info.value)
    assert "DATABASE_URL" in text and "JWT_SECRET" in text
    assert "hunter2" not in text and "short-secret-x" not in text


def test_log_lines_are_json_with_extra_fields() -> None:
    import json
    import logging

    from app.core.logging import JsonFormatter

    record = logging.LogRecord("app.access", logging.INFO, __file__, 1, "request", (), None)
    record.status = 200
    line = json.loads(JsonFormatter().format(record))
    assert line["msg"] == "request" and line["status"] == 200 and line["level"] == "info"


def test_a_statement_timeout_is_503_without_marking_the_database_down(client) -> None:  # type: ignore[no-untyped-def]
    router = APIRouter()

    @router.get("/slow")
    def slow(db: DB) -> dict[str, str]:
        db.execute(text("SET LOCAL statement_timeout = 50"))
        db.execute(text("SELECT pg_sleep(1)"))
        return {"status": "unreachable"}

    client.app.include_router(router)
    r = client.get("/slow")
    assert r.status_code == 503
    assert r.headers["retry-after"].isdigit()
    assert client.app.state.db.up is True
