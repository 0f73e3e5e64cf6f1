"""docker-compose.yml and its override files are valid Compose files (the vendored spec schema)."""

from __future__ import annotations

from typing import Any

import composefile
import jsonschema
import pytest
from composefile import COMPOSE_FILES


def _errors(schema: dict[str, Any], doc: Any) -> list[str]:
    validator = jsonschema.Draft7Validator(schema)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]


def test_vendored_schema_is_the_compose_spec(spec_schema: dict[str, Any]) -> None:
    assert spec_schema["title"] == "Compose Specification"
    jsonschema.Draft7Validator.check_schema(spec_schema)


@pytest.mark.parametrize("name", sorted(COMPOSE_FILES))
def test_each_file_is_valid_as_written(name: str, spec_schema: dict[str, Any]) -> None:
    doc = composefile.strip_tags(composefile.load(COMPOSE_FILES[name]))
    assert _errors(spec_schema, doc) == []


@pytest.mark.parametrize(
    "files",
    [("base",), ("base", "external-db"), ("base", "db-port"), ("base", "external-db", "db-port")],
)
def test_merged_and_interpolated_is_valid(
    files: tuple[str, ...], spec_schema: dict[str, Any], sample_env: dict[str, str]
) -> None:
    env = {**sample_env, "POSTGRES_PORT": "5433"}
    doc = composefile.load_merged(*(COMPOSE_FILES[f] for f in files))
    assert _errors(spec_schema, composefile.interpolate(doc, env)) == []


def test_schema_rejects_a_broken_file(spec_schema: dict[str, Any], compose: dict[str, Any]) -> None:
    """The validation is real: typos and wrong types are caught."""
    broken = composefile.strip_tags(compose)
    broken = {**broken, "services": {**broken["services"]}}
    broken["services"]["backend"] = {**broken["services"]["backend"], "restrat": "always"}
    broken["services"]["frontend"] = {**broken["services"]["frontend"], "cap_drop": "ALL"}
    errors = _errors(spec_schema, broken)
    assert any("restrat" in e for e in errors)
    assert any("cap_drop" in e for e in errors)
