"""Fixtures for the static Compose tests: the files, the vendored spec schema, a sample .env."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import composefile  # noqa: E402

ROOT = composefile.ROOT


@pytest.fixture(scope="session")
def compose() -> dict[str, Any]:
    return composefile.load(composefile.COMPOSE_FILES["base"])


@pytest.fixture(scope="session")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    return compose["services"]


@pytest.fixture(scope="session")
def spec_schema() -> dict[str, Any]:
    return json.loads((Path(__file__).parent / "schema" / "compose-spec.json").read_text())


@pytest.fixture(scope="session")
def schema_vars() -> dict[str, dict[str, Any]]:
    path = ROOT / "env.schema.yaml"
    if not path.exists():
        pytest.fail("env.schema.yaml (repo root) does not exist yet: the env issue delivers it")
    return composefile.schema_variables(path)


@pytest.fixture()
def sample_env() -> dict[str, str]:
    """What a .env made by `make up` provides (values shaped like secretgen's)."""
    return {
        "POSTGRES_USER": "todo",
        "POSTGRES_DB": "todo",
        "POSTGRES_PASSWORD": "p" * 32,
        "DATABASE_URL": "postgresql://todo:" + "p" * 32 + "@postgres:5432/todo",
        "JWT_SECRET": "j" * 48,
        "TAG": "0.1.0-abc1234",
    }
