"""docker-compose.yml keeps the contract of issue 7: the services, their order of start,
healthchecks, hardening, no secret in the file, every variable known to env.schema.yaml."""

from __future__ import annotations

import re
from typing import Any

import composefile
import pytest
from composefile import COMPOSE_FILES, MAKE_VARIABLES

HARDENED = ("migrate", "backend", "frontend")


def _env(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {k: str(v) for k, v in env.items()}


def _port_targets(service: dict[str, Any]) -> list[str]:
    return [str(p).rsplit(":", 1)[-1] for p in service.get("ports") or []]


def test_no_version_key_and_the_four_services(compose: dict[str, Any]) -> None:
    assert "version" not in compose
    assert set(compose["services"]) == {"postgres", "migrate", "backend", "frontend"}


def test_postgres(services: dict[str, Any], compose: dict[str, Any]) -> None:
    pg = services["postgres"]
    assert pg["image"] == "postgres:15-alpine"
    volumes = [v for v in pg["volumes"] if str(v).endswith(":/var/lib/postgresql/data")]
    assert len(volumes) == 1
    name = volumes[0].split(":", 1)[0]
    assert not name.startswith((".", "/")), "the data lives in a named volume, not a bind mount"
    assert name in compose["volumes"]
    assert "pg_isready" in " ".join(pg["healthcheck"]["test"])
    assert "ports" not in pg, "postgres is published only through docker-compose.db-port.yml"
    assert _env(pg)["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")


def test_postgres_published_on_loopback_only_when_asked() -> None:
    pg = composefile.load(COMPOSE_FILES["db-port"])["services"]["postgres"]
    (port,) = pg["ports"]
    assert port.startswith("127.0.0.1:${POSTGRES_PORT:?") and port.endswith(":5432")


def test_migrate(services: dict[str, Any]) -> None:
    m = services["migrate"]
    assert m["image"] == services["backend"]["image"]
    assert m["command"] in (["migrate"], "migrate")
    assert m["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert m["restart"] == "no"


def test_backend(services: dict[str, Any]) -> None:
    b = services["backend"]
    assert re.fullmatch(r"todo-backend:\$\{TAG(:-[\w.-]+)?\}", b["image"])
    assert _port_targets(b) == ["8000"]
    assert b["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
    assert "/ready" in " ".join(b["healthcheck"]["test"])
    assert b["restart"] == "unless-stopped"


def test_frontend(services: dict[str, Any]) -> None:
    f = services["frontend"]
    assert re.fullmatch(r"todo-frontend:\$\{TAG(:-[\w.-]+)?\}", f["image"])
    assert _port_targets(f) == ["3000"]
    assert _env(f)["BACKEND_URL"] == "http://backend:8000"
    assert f["depends_on"] == {"backend": {"condition": "service_healthy"}}
    assert "/api/healthz" in " ".join(f["healthcheck"]["test"])
    assert f["restart"] == "unless-stopped"


@pytest.mark.parametrize("name", HARDENED)
def test_hardening(name: str, services: dict[str, Any]) -> None:
    s = services[name]
    assert s["read_only"] is True
    assert "/tmp" in s["tmpfs"]
    assert s["security_opt"] == ["no-new-privileges:true"]
    assert s["cap_drop"] == ["ALL"]
    assert not s.get("cap_add") and not s.get("privileged")


def test_published_ports_bind_loopback(services: dict[str, Any]) -> None:
    for name, s in services.items():
        for p in s.get("ports") or []:
            assert str(p).startswith("127.0.0.1:"), f"{name} publishes {p} on every interface"


def test_frontend_gets_no_secrets(services: dict[str, Any], schema_vars: dict[str, dict[str, Any]]) -> None:
    f = services["frontend"]
    assert "env_file" not in f
    secrets = {n for n, spec in schema_vars.items() if composefile.is_secret(spec)}
    assert not {name for name, _, _ in composefile.references(f)} & secrets


def test_backend_reads_env_file_and_migrate_gets_only_the_database(services: dict[str, Any]) -> None:
    assert services["backend"]["env_file"] in (".env", [".env"], [{"path": ".env"}])
    # least privilege: migrations need no signing key and no model key
    assert "env_file" not in services["migrate"]
    assert set(services["migrate"]["environment"]) == {"DATABASE_URL"}


def test_every_variable_is_in_the_schema(compose: dict[str, Any], schema_vars: dict[str, dict[str, Any]]) -> None:
    names = set()
    for path in COMPOSE_FILES.values():
        names |= {name for name, _, _ in composefile.references(composefile.load(path))}
    assert names - MAKE_VARIABLES - set(schema_vars) == set()


def test_required_variables_fail_with_a_message(
    compose: dict[str, Any], schema_vars: dict[str, dict[str, Any]]
) -> None:
    """${VAR:?message} for every required variable the file uses, and never a default for a secret."""
    for name, op, arg in composefile.references(compose):
        spec = schema_vars.get(name, {})
        if composefile.is_secret(spec):
            assert op == ":?", f"secret {name} must be ${{{name}:?message}}, not a default"
        if spec.get("required") is True:
            assert op == ":?" and arg.strip(), f"required {name} must fail with a message"


def test_no_secret_literals(compose: dict[str, Any], schema_vars: dict[str, dict[str, Any]]) -> None:
    secret_names = {n for n, spec in schema_vars.items() if composefile.is_secret(spec)}
    looks_secret = re.compile(r"PASSWORD|SECRET|TOKEN|API_KEY|PRIVATE", re.I)
    for name, s in compose["services"].items():
        for key, value in _env(s).items():
            if key in secret_names or looks_secret.search(key):
                assert re.fullmatch(r"\$\{[A-Z_]+:\?[^}]*\}", value), f"{name}.{key} holds a literal"
    text = COMPOSE_FILES["base"].read_text()
    assert not re.search(r"postgres(?:ql)?://[^$\s\"']*:[^$\s\"'@]+@", text), "a URL with a password"


def test_interpolation_stops_with_the_message_when_env_is_missing(
    compose: dict[str, Any], sample_env: dict[str, str]
) -> None:
    env = dict(sample_env)
    del env["JWT_SECRET"]
    with pytest.raises(composefile.InterpolationError, match="JWT_SECRET is not set.*make up"):
        composefile.interpolate(compose, env)


def test_external_db_override_drops_postgres_from_the_start(sample_env: dict[str, str]) -> None:
    merged = composefile.load_merged(COMPOSE_FILES["base"], COMPOSE_FILES["external-db"])
    s = merged["services"]
    assert s["postgres"]["profiles"], "postgres must be in a profile nobody activates"
    assert "depends_on" not in s["migrate"], "migrate must not wait for a postgres that never starts"
    assert s["backend"]["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
    env = {**sample_env, "DATABASE_URL": "postgresql://u:" + "x" * 20 + "@ep-x.eu.aws.neon.tech/todo?sslmode=require"}
    out = composefile.interpolate(merged, env)
    assert out["services"]["backend"]["environment"]["DATABASE_URL"].endswith("sslmode=require")


def test_dotenv_example_interpolates_the_bundled_database_url() -> None:
    """.env.example writes DATABASE_URL with ${...}; Compose resolves it from the same file."""
    example = composefile.ROOT / ".env.example"
    if not example.exists():
        pytest.fail(".env.example (repo root) does not exist yet: the env issue delivers it")
    url = composefile.dotenv_values(example, ["DATABASE_URL"]).get("DATABASE_URL", "")
    assert "@postgres:5432/" in url, f"DATABASE_URL in .env.example should point at the bundled postgres: {url!r}"
