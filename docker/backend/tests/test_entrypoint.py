"""The container entrypoint (entrypoint.sh), run natively: envcheck first, then serve/migrate.

With the real envcheck (build/bin/envcheck, a prerequisite of `make backend-test`) and
env.schema.yaml at the repo root, a missing or invalid JWT_SECRET must stop the container with
the key named and no value printed. Without envcheck the entrypoint says "envcheck not found"
and these tests fail.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from pathlib import Path

from tests.conftest import BACKEND_DIR, REPO_ROOT

ENTRYPOINT = BACKEND_DIR / "entrypoint.sh"
ENVCHECK = Path(os.environ.get("ENVCHECK", REPO_ROOT / "build" / "bin" / "envcheck"))
SCHEMA = Path(os.environ.get("ENV_SCHEMA", REPO_ROOT / "env.schema.yaml"))
SECRET_VALUES = {
    "POSTGRES_PASSWORD": secrets.token_hex(16),
    "OPENAI_API_KEY": "sk-" + secrets.token_hex(16),
    "JWT_SECRET": secrets.token_hex(32),
}


def run(
    env: dict[str, str], *args: str, envcheck: str | None = None, schema: str | None = None
) -> subprocess.CompletedProcess[str]:
    base = {"PATH": os.environ["PATH"], "HOME": "/tmp", "LANG": "C.UTF-8", "PYTHON": os.environ.get("PYTHON_BIN", "")}
    base["PYTHON"] = base["PYTHON"] or __import__("sys").executable
    base.update(
        {"ENVCHECK": envcheck or str(ENVCHECK), "ENV_SCHEMA": schema or str(SCHEMA), "ENV_FILE": "/nonexistent"}
    )
    base.update(env)
    return subprocess.run(
        ["sh", str(ENTRYPOINT), *args], env=base, capture_output=True, text=True, timeout=120, cwd="/tmp"
    )


def valid_env(database_url: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "JWT_SECRET": SECRET_VALUES["JWT_SECRET"],
        "POSTGRES_PASSWORD": SECRET_VALUES["POSTGRES_PASSWORD"],
        "CHAT_PROVIDER": "local",
    }


def test_missing_envcheck_refuses_to_start() -> None:
    r = run({}, "serve", envcheck="/nonexistent/envcheck", schema=__file__)
    assert r.returncode == 2
    assert "envcheck not found" in r.stderr


def test_a_failing_check_stops_before_the_command() -> None:
    r = run({}, "sh", "-c", "echo STARTED", envcheck="/bin/false", schema=__file__)
    assert r.returncode == 1
    assert "STARTED" not in r.stdout
    assert "environment is invalid" in r.stderr


def test_migrate_runs_alembic_after_the_check(database_url: str) -> None:
    # /bin/true stands in for a passing check here: this test is about dispatching `migrate`.
    r = run({"DATABASE_URL": database_url}, "migrate", envcheck="/bin/true", schema=__file__)
    assert r.returncode == 0, r.stderr
    assert "alembic" in r.stderr.lower()


def test_serve_with_invalid_settings_names_them_without_values_and_exits_3(database_url: str) -> None:
    # /bin/true stands in for envcheck: this is the app's own check (native runs have no envcheck).
    env = {"DATABASE_URL": database_url, "JWT_SECRET": "tooshort-secret-value", "BACKEND_PORT": "0"}
    r = run(env, "serve", envcheck="/bin/true", schema=__file__)
    assert r.returncode == 3, r.stdout + r.stderr
    assert "JWT_SECRET" in r.stderr
    assert "tooshort-secret-value" not in r.stdout + r.stderr and database_url not in r.stdout + r.stderr


def test_other_commands_are_execd() -> None:
    r = run({}, "sh", "-c", "echo hello-from-exec", envcheck="/bin/true", schema=__file__)
    assert r.returncode == 0 and r.stdout.strip() == "hello-from-exec"


def test_missing_jwt_secret_exits_nonzero_naming_the_key(database_url: str) -> None:
    env = valid_env(database_url)
    del env["JWT_SECRET"]
    r = run(env, "serve")
    assert r.returncode != 0
    assert "JWT_SECRET" in r.stdout + r.stderr
    output = r.stdout + r.stderr
    for value in [*SECRET_VALUES.values(), database_url]:
        assert value not in output


def test_invalid_jwt_secret_is_named_and_its_value_not_printed(database_url: str) -> None:
    env = valid_env(database_url)
    env["JWT_SECRET"] = "tooshort-secret-value"
    r = run(env, "serve")
    assert r.returncode != 0
    output = r.stdout + r.stderr
    assert "JWT_SECRET" in output and "tooshort-secret-value" not in output


def test_valid_environment_runs_migrate(database_url: str) -> None:
    r = run(valid_env(database_url), "migrate")
    assert r.returncode == 0, r.stdout + r.stderr
