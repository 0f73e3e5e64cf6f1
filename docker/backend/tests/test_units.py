"""Small pure functions: URL normalisation, backoff, config errors that hide values."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.core.config import Settings, app_version, describe_errors, normalize_database_url
from app.core.db import BACKOFF_BASE_SECONDS, BACKOFF_CAP_SECONDS, backoff_delay


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
        Settings(_env_file=None, database_url="mysql://u:hunter2@h/d", jwt_secret="short-secret-x")  # type: ignore[call-arg,arg-type]
    text = describe_errors(info.value)
    assert "DATABASE_URL" in text and "JWT_SECRET" in text
    assert "hunter2" not in text and "short-secret-x" not in text


def test_log_lines_are_json_with_extra_fields_and_nothing_else() -> None:
    import json
    import logging

    from app.core.logging import JsonFormatter

    record = logging.getLogger("app.access").makeRecord(
        "app.access", logging.ERROR, __file__, 1, "request %s", ("x",), None, extra={"path": "/p", "_private": 1}
    )
    line = json.loads(JsonFormatter().format(record))
    assert line == {"ts": line["ts"], "level": "error", "logger": "app.access", "msg": "request x", "path": "/p"}
    assert line["ts"].endswith("Z") and len(line["ts"]) == len("2026-01-01T00:00:00.000Z")


def test_the_version_is_the_repository_version_file(tmp_path: Path) -> None:
    from tests.conftest import REPO_ROOT

    assert app_version() == (REPO_ROOT / "VERSION").read_text().strip()
    (tmp_path / "VERSION").write_text("9.8.7\n")  # the image: /app/VERSION next to /app/app/
    (tmp_path / "app" / "core").mkdir(parents=True)
    assert app_version(tmp_path / "app" / "core" / "config.py") == "9.8.7"
    with pytest.raises(RuntimeError, match="no VERSION file"):
        app_version(Path("/nonexistent/app/core/config.py"))


def test_openapi_document_carries_the_version(client) -> None:
    from tests.conftest import REPO_ROOT

    assert client.get("/openapi.json").json()["info"]["version"] == (REPO_ROOT / "VERSION").read_text().strip()


def test_startup_freezes_the_long_lived_objects_and_shutdown_releases_them(client) -> None:
    """A full garbage collection over every module and route object pauses the event loop
    for 100 ms or more under load; after startup those objects are outside the collector's scans."""
    import gc

    assert client.get("/health").status_code == 200
    assert gc.get_freeze_count() > 10_000


def test_a_verified_token_is_remembered_until_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    """decode_access_token keeps tokens it verified (the same token comes with every request),
    but a remembered token still expires on time, and only counts for the secret it was signed with."""
    from app.core import security

    secret = "unit-secret-" + "u" * 40
    token = security.create_access_token("user-1", secret, expire_minutes=1)
    assert security.decode_access_token(token, secret) == "user-1"
    assert (token, secret) in security._VERIFIED
    assert security.decode_access_token(token, "another-secret-" + "o" * 40) is None
    header, payload, signature = token.split(".")
    forged = f"{header}.{payload}.{signature[:-4]}AAAA"
    assert security.decode_access_token(forged, secret) is None
    assert (forged, secret) not in security._VERIFIED  # failures are not remembered

    later = time.time() + 61
    monkeypatch.setattr(security.time, "time", lambda: later)
    assert security.decode_access_token(token, secret) is None
    assert (token, secret) not in security._VERIFIED


def test_the_verified_token_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.core import security

    monkeypatch.setattr(security, "_VERIFIED_MAX", 3)
    security._VERIFIED.clear()
    secret = "unit-secret-" + "b" * 40
    tokens = [security.create_access_token(f"user-{i}", secret, expire_minutes=5) for i in range(5)]
    assert [security.decode_access_token(t, secret) for t in tokens] == [f"user-{i}" for i in range(5)]
    assert list(security._VERIFIED) == [(t, secret) for t in tokens[2:]]


def test_every_setting_is_in_env_schema_with_its_default_and_range() -> None:
    """env.schema.yaml lists every variable the API reads (envcheck validates the container's
    environment with it before the app starts), with the app's own defaults and int bounds."""
    import annotated_types
    import yaml
    from pydantic_core import PydanticUndefined

    from tests.conftest import REPO_ROOT

    schema = yaml.safe_load((REPO_ROOT / "env.schema.yaml").read_text())["variables"]
    for name, field in Settings.model_fields.items():
        var = schema.get(name.upper())
        assert var is not None, f"{name.upper()} is missing from env.schema.yaml"
        default = field.default
        if default is not PydanticUndefined and default is not None:
            assert "default" in var, name
            if isinstance(default, float):
                assert float(var["default"]) == default, name
            else:
                assert str(var["default"]) == str(default), name
        bounds = {type(m): m for m in field.metadata}
        if var.get("type") == "int":
            assert var.get("min") == getattr(bounds.get(annotated_types.Ge), "ge", None), name
            assert var.get("max") == getattr(bounds.get(annotated_types.Le), "le", None), name
