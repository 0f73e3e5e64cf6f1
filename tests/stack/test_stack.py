"""The closest thing to `make up` on a machine without a container engine: what each container
runs, run natively with the environment Compose would give it, then `make smoke` against it.

- .env: made by mk/scripts/stack-env.sh (secretgen fill + envcheck), exactly as `make up` does.
- postgres: a private PostgreSQL (mk/scripts/pg-temp.sh) with the user, database and password
  the postgres service gets from docker-compose.yml.
- migrate, backend: docker/backend/entrypoint.sh (the image's ENTRYPOINT, envcheck --environ
  included) with the service's command, in the environment derived from docker-compose.yml,
  .env and the Dockerfile's ENV; service host names swapped for 127.0.0.1 ports.
- frontend: the Next.js standalone server laid out as the Dockerfile's runner stage copies it.
- then `make smoke`, `make db-backup`, `make db-restore` against it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from stackenv import ROOT, ComposeModel, dockerfile_final_stage, image_env, move_to_localhost

BIN = ROOT / "build/bin"
BACKEND_DIR = ROOT / "docker/backend"
FRONTEND_DIR = ROOT / "docker/frontend"
# `make stack-test` builds what this suite runs: the C tools, the backend's virtualenv
# (BACKEND_PYTHON) and the frontend's standalone build.
BACKEND_PYTHON = Path(os.environ["BACKEND_PYTHON"])
STANDALONE = FRONTEND_DIR / ".next/standalone"
NATIVE_PATH = f"{BACKEND_PYTHON.parent}:/usr/local/bin:/usr/bin:/bin"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stack:
    def __init__(self, workdir: Path) -> None:
        self.dir = workdir
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.ports: dict[str, tuple[int, int]] = {}
        self.model: ComposeModel | None = None
        self.env: dict[str, dict[str, str]] = {}

    def log(self, name: str) -> Path:
        return self.dir / f"{name}.log"

    def tail(self, name: str, n: int = 40) -> str:
        p = self.log(name)
        return "\n".join(p.read_text(errors="replace").splitlines()[-n:]) if p.exists() else "(no log)"

    def start(self, name: str, cmd: list[str], env: dict[str, str], cwd: Path) -> None:
        out = open(self.log(name), "wb")  # noqa: SIM115 - closed with the process
        self.procs[name] = subprocess.Popen(
            cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for proc in self.procs.values():
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def run(
    cmd: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT, timeout: int = 300, **kw: Any
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False, **kw)


def probe_wait(urls: list[str], deadline_s: int, stack: Stack, names: list[str]) -> None:
    """probe wait, in short rounds so that a server that died is reported at once with its log."""
    end = time.monotonic() + deadline_s
    while True:
        r = run([str(BIN / "probe"), "wait", *urls, "--deadline", "3s"], timeout=60)
        if r.returncode == 0:
            return
        dead = [n for n in names if n in stack.procs and stack.procs[n].poll() is not None]
        if dead or time.monotonic() > end:
            logs = "\n".join(f"--- {n} (exit {stack.procs[n].poll()}) ---\n{stack.tail(n)}" for n in names)
            why = f"{', '.join(dead)} exited" if dead else f"not ready after {deadline_s} s"
            pytest.fail(f"{why}: {' '.join(urls)}\n{r.stdout}{r.stderr}\n{logs}", pytrace=False)


def backend_env(stack: Stack, service: str) -> dict[str, str]:
    """The environment of the migrate/backend container, natively; plus the entrypoint's
    documented overrides for a native run (where envcheck and the schema are, which python)."""
    assert stack.model
    env = stack.model.environment(service, BACKEND_DIR / "Dockerfile")
    own = stack.ports["backend"] if service == "backend" else None
    env = move_to_localhost(env, stack.ports, own)
    # BACKEND_HOST: the container listens on every interface; a test server on 127.0.0.1 only
    return {
        **env,
        "BACKEND_HOST": "127.0.0.1",
        "PATH": NATIVE_PATH,
        "HOME": str(stack.dir),
        "ENVCHECK": str(BIN / "envcheck"),
        "ENV_SCHEMA": str(ROOT / "env.schema.yaml"),
        "APP_DIR": str(BACKEND_DIR),
        "PYTHON": str(BACKEND_PYTHON),
    }


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    workdir = Path(tmp_path_factory.mktemp("stack", numbered=True))
    workdir.chmod(0o755)
    s = Stack(workdir)
    pg_dir = Path("/tmp") / f"todo-stack-pg-{os.getpid()}"
    try:
        # 1. .env, the way `make up` makes it
        env_file = workdir / ".env"
        r = run(
            ["mk/scripts/stack-env.sh", str(env_file)],
            env={**os.environ, "ENVCHECK": str(BIN / "envcheck"), "SECRETGEN": str(BIN / "secretgen")},
        )
        assert r.returncode == 0, f"stack-env.sh failed:\n{r.stdout}{r.stderr}"
        assert oct(env_file.stat().st_mode & 0o777) == "0o600", "the generated .env must be private"
        s.model = ComposeModel(env_file)

        # 2. postgres with the service's own user, database and password
        pg_env = s.model.environment("postgres")
        r = run(
            ["mk/scripts/pg-temp.sh", "start", str(pg_dir)],
            env={**os.environ, "PG_USER": pg_env["POSTGRES_USER"], "PG_DB": pg_env["POSTGRES_DB"]},
        )
        assert r.returncode == 0, r.stderr
        pg_port = int((pg_dir / "port").read_text())
        password = pg_env["POSTGRES_PASSWORD"].replace("'", "''")
        r = run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                "psql",
                "-h",
                str(pg_dir),
                "-p",
                str(pg_port),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-v",
                "ON_ERROR_STOP=1",
                "-q",
                "-c",
                f"ALTER ROLE \"{pg_env['POSTGRES_USER']}\" PASSWORD '{password}'",
            ]
        )
        assert r.returncode == 0, r.stderr
        s.ports = {
            "postgres": (5432, pg_port),
            "backend": (s.model.container_port("backend"), free_port()),
            "frontend": (s.model.container_port("frontend"), free_port()),
        }
        s.env["postgres"] = pg_env

        # 3. migrate: the one-shot service, to completion
        started = time.monotonic()
        migrate_cmd = s.model.services["migrate"]["command"]
        s.env["migrate"] = backend_env(s, "migrate")
        r = run(["sh", str(BACKEND_DIR / "entrypoint.sh"), *migrate_cmd], env=s.env["migrate"], timeout=180)
        (workdir / "migrate.log").write_text(r.stdout + r.stderr)
        assert r.returncode == 0, f"migrate failed:\n{r.stdout}{r.stderr}"

        # 4. backend: serve until /ready
        s.env["backend"] = backend_env(s, "backend")
        s.start(
            "backend",
            ["sh", str(BACKEND_DIR / "entrypoint.sh"), *s.model.services["backend"]["command"]],
            s.env["backend"],
            BACKEND_DIR,
        )
        backend_url = f"http://127.0.0.1:{s.ports['backend'][1]}"
        probe_wait([f"{backend_url}/ready"], 90, s, ["backend"])

        # 5. frontend: the runner stage's layout, its CMD, the service's environment
        runner = dockerfile_final_stage(FRONTEND_DIR / "Dockerfile")
        app = workdir / "frontend-app"
        shutil.copytree(STANDALONE, app, symlinks=True)
        shutil.copytree(FRONTEND_DIR / ".next/static", app / ".next/static", dirs_exist_ok=True)
        if (FRONTEND_DIR / "public").exists():
            shutil.copytree(FRONTEND_DIR / "public", app / "public", dirs_exist_ok=True)
        fe_env = move_to_localhost(
            s.model.environment("frontend", FRONTEND_DIR / "Dockerfile"), s.ports, s.ports["frontend"]
        )
        s.env["frontend"] = fe_env
        s.start(
            "frontend", runner["cmd"], {**fe_env, "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(workdir)}, app
        )
        frontend_url = f"http://127.0.0.1:{s.ports['frontend'][1]}"
        probe_wait([f"{frontend_url}/api/healthz"], 90, s, ["frontend", "backend"])
        # a figure for the report, not an assertion
        print(f"\nnative stack: migrate + backend /ready + frontend ready in {time.monotonic() - started:.1f} s")
        yield s
    finally:
        s.stop()
        run(["mk/scripts/pg-temp.sh", "stop", str(pg_dir)])
        shutil.rmtree(pg_dir, ignore_errors=True)


def urls(stack: Stack) -> tuple[str, str]:
    return (f"http://127.0.0.1:{stack.ports['frontend'][1]}", f"http://127.0.0.1:{stack.ports['backend'][1]}")


def test_environment_comes_from_compose_not_from_this_test(stack: Stack) -> None:
    """The derived environment carries what docker-compose.yml says, moved to 127.0.0.1."""
    pg_port = stack.ports["postgres"][1]
    assert f"@127.0.0.1:{pg_port}/" in stack.env["backend"]["DATABASE_URL"]
    assert stack.env["backend"]["JWT_SECRET"] == stack.model.dotenv["JWT_SECRET"]  # type: ignore[union-attr]
    assert stack.env["frontend"]["BACKEND_URL"] == f"http://127.0.0.1:{stack.ports['backend'][1]}"
    assert "JWT_SECRET" not in stack.env["frontend"]
    assert "POSTGRES_PASSWORD" not in stack.env["frontend"]
    # the image's own ENV is there too, unless Compose or the native run's overrides set it
    native = {"ENVCHECK", "ENV_SCHEMA", "APP_DIR", "PYTHON", "BACKEND_HOST", "PATH", "HOME"}
    for service, dockerfile in (("backend", BACKEND_DIR / "Dockerfile"), ("frontend", FRONTEND_DIR / "Dockerfile")):
        compose_env = stack.model.environment(service)  # type: ignore[union-attr]
        for key, value in image_env(dockerfile).items():
            if key not in compose_env and key not in native:
                assert stack.env[service][key] == value, f"{service}: image ENV {key} lost"


def test_backend_image_runs_the_entrypoint_this_test_runs() -> None:
    stage = dockerfile_final_stage(BACKEND_DIR / "Dockerfile")
    assert any("entrypoint" in part for part in stage["entrypoint"] or []), stage
    assert "8000" in stage["expose"]
    assert image_env(BACKEND_DIR / "Dockerfile") is not None


def test_make_smoke_passes_against_the_native_stack(stack: Stack) -> None:
    frontend, backend = urls(stack)
    r = run(
        [
            "make",
            "--no-print-directory",
            "smoke",
            "TOOLS_MODE=native",
            f"FRONTEND_URL={frontend}",
            f"BACKEND_URL={backend}",
        ],
        timeout=300,
    )
    print(r.stdout)
    assert r.returncode == 0, (
        f"{r.stdout}{r.stderr}\n--- backend ---\n{stack.tail('backend')}\n--- frontend ---\n{stack.tail('frontend')}"
    )
    assert "smoke: all" in r.stdout and "checks passed" in r.stdout


def test_db_backup_and_restore_keep_the_data(stack: Stack) -> None:
    """make db-backup / db-restore with DB_EXEC pointing at the native database instead of the container."""
    pg = stack.env["postgres"]
    db_exec = (
        f"env PGHOST=127.0.0.1 PGPORT={stack.ports['postgres'][1]} PGPASSWORD={pg['POSTGRES_PASSWORD']} "
        f"POSTGRES_USER={pg['POSTGRES_USER']} POSTGRES_DB={pg['POSTGRES_DB']}"
    )
    psql = [
        "env",
        f"PGPASSWORD={pg['POSTGRES_PASSWORD']}",
        "psql",
        "-h",
        "127.0.0.1",
        "-p",
        str(stack.ports["postgres"][1]),
        "-U",
        pg["POSTGRES_USER"],
        "-d",
        pg["POSTGRES_DB"],
        "-tAc",
    ]
    before = run([*psql, "SELECT count(*) FROM tasks"]).stdout.strip()
    assert before and int(before) >= 2, "make smoke created tasks"
    backups = stack.dir / "backups"
    r = run(["make", "--no-print-directory", "db-backup", f"DB_EXEC={db_exec}", f"BACKUP_DIR={backups}"])
    assert r.returncode == 0, r.stdout + r.stderr
    (dump,) = backups.glob("todo-*.dump")
    assert run([*psql, "DELETE FROM tasks"]).returncode == 0
    r = run(["make", "--no-print-directory", "db-restore", f"DB_EXEC={db_exec}", f"FILE={dump}"])
    assert r.returncode == 0, r.stdout + r.stderr
    assert run([*psql, "SELECT count(*) FROM tasks"]).stdout.strip() == before
    r = run([str(BIN / "probe"), "check", f"{urls(stack)[1]}/ready", "--expect", "200"])
    assert r.returncode == 0, r.stdout + r.stderr


def test_backend_refuses_to_start_without_a_required_secret(stack: Stack) -> None:
    """A container with JWT_SECRET missing exits non-zero naming it (never its value)."""
    env = {k: v for k, v in stack.env["backend"].items() if k != "JWT_SECRET"}
    r = run(["sh", str(BACKEND_DIR / "entrypoint.sh"), "serve"], env=env, timeout=60)
    assert r.returncode != 0
    assert "JWT_SECRET" in r.stdout + r.stderr
    assert stack.env["postgres"]["POSTGRES_PASSWORD"] not in r.stdout + r.stderr
