"""The image's venv, built by docker/backend/slim-venv.sh exactly as the Dockerfile's build stage
does (stripped, debundled, pure-Python modules compiled into one zip, extension modules in
site-native/), still runs the app, the MCP server and the migrations, and writes nothing into
itself (read-only root filesystem). Building it takes about a minute (pip, from its cache)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.conftest import BACKEND_DIR, JWT_SECRET, PgTemp

SLIM_VENV_SH = BACKEND_DIR / "slim-venv.sh"


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.lstat().st_size, p.lstat().st_mtime_ns) for p in root.rglob("*")}


@pytest.fixture(scope="module")
def slim_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("slim") / "venv"
    env = {**os.environ, "PYTHON": sys.executable}
    r = subprocess.run(
        [str(SLIM_VENV_SH), "build", str(venv), str(BACKEND_DIR / "requirements.txt")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return venv


@pytest.fixture
def fresh_database() -> Iterator[str]:
    """A private PostgreSQL of its own (the suite's is migrated already), removed afterwards."""
    db = PgTemp()
    try:
        yield db.start()
    finally:
        db.destroy()


def _run(venv: Path, args: list[str], database_url: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": "/tmp",
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "ENV_FILE": "/dev/null",
        "DATABASE_URL": database_url,
        "JWT_SECRET": JWT_SECRET,
        "CHAT_PROVIDER": "local",
    }
    return subprocess.run(
        [str(venv / "bin" / "python"), *args],
        cwd=BACKEND_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_slim_venv_keeps_only_the_zip_metadata_and_extension_modules(slim_venv: Path) -> None:
    site = next((slim_venv / "lib").glob("python3.*/site-packages"))
    kinds = {
        "zip" if p.name == "site-packages.zip" else p.suffix or p.name
        for p in site.iterdir()
        if not p.name.endswith(".dist-info")
    }
    assert kinds <= {"zip", ".pth", ".so"}, kinds
    assert not list(slim_venv.rglob("*.py")), "sources left on disk"
    assert not list(slim_venv.rglob("__pycache__"))
    assert (site.parent / "site-native" / "sqlalchemy").is_dir()


def test_slim_venv_imports_app_mcp_and_extension_modules_writing_nothing(slim_venv: Path, database_url: str) -> None:
    before = _snapshot(slim_venv)
    code = (
        "import app.main, app.mcp_server, app.serve, app.agent.openai_provider, psycopg\n"
        "from sqlalchemy.util._has_cython import HAS_CYEXTENSION\n"
        "app.main.create_app()\n"
        "assert psycopg.pq.__impl__ == 'binary', psycopg.pq.__impl__\n"
        "assert HAS_CYEXTENSION, 'SQLAlchemy runs without its compiled extensions'\n"
        "import sqlalchemy.engine._row_cy as row\n"
        "assert '/site-native/' in row.__file__, row.__file__\n"
        "print('ok', psycopg.pq.version())\n"
    )
    r = _run(slim_venv, ["-c", code], database_url)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith("ok ")
    assert _snapshot(slim_venv) == before, "importing wrote into the venv"


def test_slim_venv_runs_the_migrations_on_an_empty_database(slim_venv: Path, fresh_database: str) -> None:
    r = _run(slim_venv, ["-m", "alembic", "-c", "alembic.ini", "upgrade", "head"], fresh_database)
    assert r.returncode == 0, r.stdout + r.stderr
    dsn = fresh_database.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(dsn) as conn:
        tables = {row[0] for row in conn.execute("select tablename from pg_tables where schemaname = 'public'")}
    assert {"users", "tasks", "conversations", "messages", "alembic_version"} <= tables
