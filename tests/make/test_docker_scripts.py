"""The scripts behind the compose targets, run for real with a recording stand-in for docker
(no engine here): a newcomer's error becomes one sentence; up's failure shows the failing
service's logs; clean names what it deletes; .env is created and validated; backup/restore."""

from __future__ import annotations

import os
import re
import socket
import subprocess
from pathlib import Path

import pytest
from makerun import BIN, FAKE_DOCKER, ROOT, make, workspace

SCRIPTS = ROOT / "mk/scripts"
FAKE = FAKE_DOCKER


def run(
    script: str, *args: str, env: dict[str, str] | None = None, cwd: Path = ROOT, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    full = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/root"),
        "DOCKER": str(FAKE),
        "FAKE_COMPOSE_VERSION": "v2.29.7",
        **(env or {}),
    }
    return subprocess.run(
        [str(SCRIPTS / script), *args],
        cwd=cwd,
        env=full,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=60,
        check=False,
    )


# ---- docker-preflight.sh ----


def test_preflight_passes_quietly_when_everything_is_there() -> None:
    r = run("docker-preflight.sh")
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")


@pytest.mark.parametrize(
    "env,sentence",
    [
        ({"DOCKER": "/nonexistent/docker"}, "Docker is not installed"),
        (
            {"FAKE_INFO_ERR": "Cannot connect to the Docker daemon at unix:///var/run/docker.sock."},
            "Docker is not running",
        ),
        (
            {"FAKE_INFO_ERR": "permission denied while trying to connect to the Docker daemon socket"},
            "add yourself to the docker group",
        ),
        ({"FAKE_COMPOSE_VERSION": "2.12.2"}, "Docker Compose 2.12.2 is too old"),
        ({"FAKE_COMPOSE_VERSION": ""}, "Docker Compose v2 is missing"),
        ({"FAKE_NO_BUILDX": "1"}, "BuildKit is missing"),
    ],
)
def test_preflight_says_what_is_wrong_in_one_sentence(env: dict[str, str], sentence: str) -> None:
    r = run("docker-preflight.sh", env=env)
    assert r.returncode == 1
    assert sentence in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, "one sentence, no stack trace"


def test_preflight_recognises_compose_v1(tmp_path: Path) -> None:
    (tmp_path / "docker-compose").write_text("#!/bin/sh\necho 'docker-compose version 1.29.2'\n")
    (tmp_path / "docker-compose").chmod(0o755)
    r = run("docker-preflight.sh", env={"FAKE_COMPOSE_VERSION": "", "PATH": f"{tmp_path}:{os.environ['PATH']}"})
    assert r.returncode == 1
    assert "old docker-compose (v1)" in r.stderr


def test_preflight_names_the_process_holding_a_port() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = run("docker-preflight.sh", "1", str(port))  # port 1: nobody listens
    assert r.returncode == 1
    assert f"port {port} is already taken by " in r.stderr
    assert f"(pid {os.getpid()})" in r.stderr
    assert "FRONTEND_PORT" in r.stderr


def test_preflight_accepts_a_port_held_by_this_stack() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = run("docker-preflight.sh", str(port), env={"FAKE_PS_PORTS": f"127.0.0.1:{port}->3000/tcp\n"})
    assert r.returncode == 0, r.stderr


# ---- stack-wait.sh ----


def _fake_probe(tmp_path: Path, rc: int) -> str:
    p = tmp_path / "probe"
    p.write_text(f'#!/bin/sh\necho "probe $*"\nexit {rc}\n')
    p.chmod(0o755)
    return str(p)


def test_wait_success_prints_the_urls_and_the_time(tmp_path: Path) -> None:
    r = run(
        "stack-wait.sh",
        "--deadline",
        "5s",
        "--started",
        "1",
        "--open",
        "http://localhost:3000",
        "--api",
        "http://localhost:8000",
        "http://a/api/healthz",
        "http://b/ready",
        env={"PROBE": _fake_probe(tmp_path, 0), "COMPOSE": f"{FAKE} compose"},
    )
    assert r.returncode == 0, r.stderr
    assert "probe wait http://a/api/healthz http://b/ready --deadline 5s" in r.stdout
    assert "open      http://localhost:3000" in r.stdout
    assert "The Todo Chatbot is up in " in r.stdout


def test_wait_failure_shows_the_failing_services_logs(tmp_path: Path) -> None:
    ps = "postgres running 0 healthy\nmigrate exited 0 \nbackend running 0 unhealthy\nfrontend created 0 \n"
    r = run(
        "stack-wait.sh",
        "--deadline",
        "1s",
        "http://a/api/healthz",
        env={
            "PROBE": _fake_probe(tmp_path, 1),
            "COMPOSE": f"TAG=x {FAKE} compose -p todo -f docker-compose.yml",
            "FAKE_COMPOSE_PS": ps,
        },
    )
    assert r.returncode == 1
    assert "--- last log lines of backend ---\nlog line of backend" in r.stderr
    assert "--- last log lines of frontend ---" in r.stderr
    assert "of migrate" not in r.stderr and "of postgres" not in r.stderr
    assert "make logs" in r.stderr


# ---- docker-clean.sh ----


def test_clean_names_and_deletes_only_this_project(tmp_path: Path) -> None:
    log = tmp_path / "calls"
    r = run(
        "docker-clean.sh",
        "todo",
        "todo-backend",
        "todo-frontend",
        "todo-tools",
        env={
            "FAKE_LOG": str(log),
            "FAKE_PS_NAMES": "todo-backend-1\ntodo-postgres-1\n",
            "FAKE_VOLUMES": "todo_pgdata\n",
            "FAKE_NETWORKS": "todo_default\n",
            "FAKE_IMAGES": "todo-backend:0.1.0\ntodo-backend:0.1.0-abc\ntodo-frontend:0.1.0\npostgres:15-alpine\n",
        },
    )
    assert r.returncode == 0, r.stderr
    for item in (
        "container todo-backend-1",
        "container todo-postgres-1",
        "volume todo_pgdata",
        "network todo_default",
        "image todo-backend:0.1.0",
        "image todo-frontend:0.1.0",
    ):
        assert f"clean: deleting {item}\n" in r.stdout
    calls = log.read_text()
    assert "volume rm todo_pgdata" in calls
    assert "image rm -f todo-backend:0.1.0 todo-backend:0.1.0-abc todo-frontend:0.1.0" in calls
    assert "postgres:15-alpine" not in calls.split("image rm", 1)[1]
    assert "label=com.docker.compose.project=todo" in calls


def test_clean_with_nothing_to_delete(tmp_path: Path) -> None:
    r = run("docker-clean.sh", "todo", "todo-backend")
    assert r.returncode == 0 and "nothing" in r.stdout


# ---- stack-env.sh ----


def _tool(tmp_path: Path, name: str, body: str) -> str:
    p = tmp_path / name
    p.write_text("#!/bin/sh\n" + body)
    p.chmod(0o755)
    return str(p)


def test_env_created_when_missing_then_validated(tmp_path: Path) -> None:
    log = tmp_path / "calls"
    secretgen = _tool(tmp_path, "secretgen", f'echo "secretgen $*" >>{log}; echo JWT_SECRET=x > "$6"\n')
    envcheck = _tool(tmp_path, "envcheck", f'echo "envcheck $*" >>{log}\n')
    r = run("stack-env.sh", str(tmp_path / ".env"), env={"ENVCHECK": envcheck, "SECRETGEN": secretgen})
    assert r.returncode == 0, r.stderr
    assert log.read_text().splitlines() == [
        f"secretgen fill --schema env.schema.yaml --template .env.example {tmp_path}/.env",
        f"envcheck --schema env.schema.yaml {tmp_path}/.env",
    ]
    assert "creating it from .env.example" in r.stdout


def test_env_kept_when_present_and_findings_stop_make_up(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("JWT_SECRET=short\n")
    secretgen = _tool(tmp_path, "secretgen", "echo must not run >&2; exit 9\n")
    envcheck = _tool(
        tmp_path,
        "envcheck",
        'echo "$3:1:1: error: [min-length] JWT_SECRET must be at least 32 characters" >&2; exit 1\n',
    )
    r = run("stack-env.sh", str(tmp_path / ".env"), env={"ENVCHECK": envcheck, "SECRETGEN": secretgen})
    assert r.returncode == 1
    assert "[min-length] JWT_SECRET" in r.stderr
    assert "is not valid" in r.stderr and "must not run" not in r.stderr


# ---- stack-db.sh ----


def _fake_pg(tmp_path: Path, dump_rc: int = 0) -> dict[str, str]:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "pg_dump").write_text(
        f'#!/bin/sh\necho "pg_dump $* as $POSTGRES_USER" >>{tmp_path}/calls\nprintf "PGDMP-fake"\nexit {dump_rc}\n'
    )
    (bindir / "pg_restore").write_text(
        f'#!/bin/sh\necho "pg_restore $*" >>{tmp_path}/calls\ncat >>{tmp_path}/restored\n'
    )
    for f in bindir.iterdir():
        f.chmod(0o755)
    return {"PATH": f"{bindir}:{os.environ['PATH']}", "DB_EXEC": "env POSTGRES_USER=todo POSTGRES_DB=tododb"}


def test_backup_then_restore(tmp_path: Path) -> None:
    env = _fake_pg(tmp_path)
    r = run("stack-db.sh", "backup", str(tmp_path / "backups"), env=env)
    assert r.returncode == 0, r.stderr
    (dump,) = (tmp_path / "backups").glob("todo-*.dump")
    assert dump.read_text() == "PGDMP-fake"
    r = run("stack-db.sh", "restore", str(dump), env=env)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "restored").read_text() == "PGDMP-fake"
    calls = (tmp_path / "calls").read_text()
    assert "pg_dump --format=custom --no-owner --no-privileges -U todo -d tododb as todo" in calls
    assert "pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction -U todo -d tododb" in calls


def test_failed_backup_leaves_no_file(tmp_path: Path) -> None:
    r = run("stack-db.sh", "backup", str(tmp_path / "backups"), env=_fake_pg(tmp_path, dump_rc=1))
    assert r.returncode == 1
    assert list((tmp_path / "backups").iterdir()) == []


def test_restore_refuses_what_is_not_a_dump(tmp_path: Path) -> None:
    (tmp_path / "x.sql").write_text("DROP TABLE users;")
    r = run("stack-db.sh", "restore", str(tmp_path / "x.sql"), env=_fake_pg(tmp_path))
    assert r.returncode == 2 and "not a pg_dump custom-format file" in r.stderr
    assert not (tmp_path / "calls").exists()


# ---- stack-smoke.sh (against a stand-in of the app; the real app: tests/stack) ----


class _FakeApp:
    """Just enough of the backend API and the frontend proxy for the smoke sequence."""

    def __init__(self, chat_title: str = "Buy milk") -> None:
        import http.server
        import json
        import threading

        app = self
        self.tasks: list[dict[str, object]] = []
        self.seen: list[str] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a: object) -> None:
                pass

            def _send(self, status: int, body: object, ctype: str = "application/json") -> None:
                data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                app.seen.append(f"GET {self.path}")
                if self.path == "/":
                    self._send(307, "/signin", "text/plain")
                elif self.path == "/signin":
                    self._send(200, "<!DOCTYPE html><html><body>Sign in</body></html>", "text/html")
                elif self.path in ("/api/healthz", "/health", "/ready"):
                    self._send(200, {"status": "ok"})
                elif self.path == "/api/u-1/tasks" and "todo_token=tok" in (self.headers["Cookie"] or ""):
                    self._send(200, app.tasks)
                else:
                    self._send(404, {"detail": "no"})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"] or 0)) or b"{}")
                app.seen.append(f"POST {self.path}")
                authed = "todo_token=tok" in (self.headers["Cookie"] or "")
                if self.path == "/api/auth/register":
                    self._send(201, {"access_token": "tok", "user": {"id": "u-1", "email": body["email"]}})
                elif self.path == "/api/auth/login":
                    self._send(200, {"access_token": "tok", "token_type": "bearer", "user": {"id": "u-1"}})
                elif self.path == "/api/u-1/tasks" and authed:
                    app.tasks.append({"id": len(app.tasks) + 1, "title": body["title"]})
                    self._send(201, app.tasks[-1])
                elif self.path == "/api/u-1/chat" and authed:
                    app.tasks.append({"id": len(app.tasks) + 1, "title": chat_title})
                    calls = [{"tool": "add_task", "args": {"title": chat_title}, "result": app.tasks[-1]}]
                    self._send(200, {"conversation_id": 7, "response": "Added.", "tool_calls": calls})
                else:
                    self._send(401, {"detail": "not authenticated"})

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _smoke(app: _FakeApp) -> subprocess.CompletedProcess[str]:
    probe = BIN / "probe"
    if subprocess.run([str(probe), "check", "--help"], capture_output=True, check=False).returncode != 0:
        pytest.fail("build/bin/probe check is not available (make tools)")
    return run("stack-smoke.sh", app.url, app.url + "/", env={"PROBE": str(probe)})


def test_smoke_walks_the_user_path() -> None:
    app = _FakeApp()
    try:
        r = _smoke(app)
    finally:
        app.close()
    assert r.returncode == 0, r.stdout + r.stderr
    assert "smoke: all 10 checks passed" in r.stdout
    assert app.seen == [
        "GET /",
        "GET /signin",
        "GET /api/healthz",
        "GET /health",
        "GET /ready",
        "POST /api/auth/register",
        "POST /api/auth/login",
        "POST /api/u-1/tasks",
        "POST /api/u-1/chat",
        "GET /api/u-1/tasks",
    ]
    assert "tok" not in r.stdout, "the token is never printed"


def test_smoke_fails_when_the_chat_did_something_else() -> None:
    app = _FakeApp(chat_title="Buy bread")
    try:
        r = _smoke(app)
    finally:
        app.close()
    assert r.returncode == 1
    assert 'the chat created "Buy bread", not "buy milk"' in r.stderr


# ---- make up, for real, with the recording docker (the real envcheck, secretgen and probe) ----


def _make_up(ws: Path, app_url: str, log: Path, deadline: str = "20s") -> subprocess.CompletedProcess[str]:
    ports = [str(_free_port()), str(_free_port())]
    return make(
        ws,
        "up",
        f"DOCKER={FAKE}",
        "TOOLS_MODE=native",
        f"FRONTEND_PORT={ports[0]}",
        f"BACKEND_PORT={ports[1]}",
        f"FRONTEND_URL={app_url}",
        f"BACKEND_URL={app_url}",
        f"UP_DEADLINE={deadline}",
        env={"FAKE_LOG": str(log), "FAKE_COMPOSE_VERSION": "v2.29.7"},
    )


def test_a_failed_compose_up_is_diagnosed_at_once_and_a_refused_password_explained(tmp_path: Path) -> None:
    """compose up itself failed (migrate exited 1 because the volume keeps an older password):
    no waiting, the failed service's log lines, and one sentence saying what to do."""
    ps = "postgres running 0 healthy\nmigrate exited 1 \nbackend created 0 \nfrontend created 0 \n"
    r = run(
        "stack-wait.sh",
        "--failed",
        "--deadline",
        "600s",
        "http://a/api/healthz",
        env={
            "PROBE": _fake_probe(tmp_path, 0),
            "COMPOSE": f"{FAKE} compose",
            "FAKE_COMPOSE_PS": ps,
            "FAKE_COMPOSE_LOG": 'FATAL:  password authentication failed for user "todo"',
        },
    )
    assert r.returncode == 1
    assert "probe wait" not in r.stdout, "it waited for a stack whose compose up failed"
    assert "docker compose up failed" in r.stderr
    assert "--- last log lines of migrate ---\nlog line of migrate" in r.stderr
    assert "its volume was initialised with another POSTGRES_PASSWORD" in r.stderr
    assert "make clean" in r.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_make_up_from_a_fresh_clone(tmp_path: Path) -> None:
    """No .env: make up generates and validates one, builds, starts, waits, prints the URLs."""
    ws = workspace(tmp_path / "ws")
    log = tmp_path / "docker-calls"
    app = _FakeApp()
    try:
        r = _make_up(ws, app.url, log)
    finally:
        app.close()
    assert r.returncode == 0, r.stdout + r.stderr
    env = ws / ".env"
    assert env.exists() and oct(env.stat().st_mode & 0o777) == "0o600"
    assert not re.search(r"^[A-Z_]+=changeme$", env.read_text(), re.M)
    calls = log.read_text().splitlines()
    builds = [c for c in calls if c.startswith("build ")]
    assert len(builds) == 2 and all("-t todo-" in c for c in builds)
    ups = [c for c in calls if c.startswith("compose ") and " up " in c]
    assert ups == ["compose -p todo -f docker-compose.yml up -d --no-build --remove-orphans"]
    assert calls.index(builds[-1]) < calls.index(ups[0])
    assert "The Todo Chatbot is up in " in r.stdout
    for secret in ("POSTGRES_PASSWORD", "JWT_SECRET"):
        value = next(line.split("=", 1)[1] for line in env.read_text().splitlines() if line.startswith(secret + "="))
        assert value not in r.stdout + r.stderr, f"{secret}'s value was printed"


def test_make_up_stops_on_an_invalid_env_before_building(tmp_path: Path) -> None:
    ws = workspace(tmp_path / "ws")
    example = (ROOT / ".env.example").read_text()
    (ws / ".env").write_text(example.replace("JWT_SECRET=changeme", "JWT_SECRET=short"))
    log = tmp_path / "docker-calls"
    r = _make_up(ws, "http://127.0.0.1:9", log)
    assert r.returncode != 0
    assert "JWT_SECRET" in r.stderr and ".env is not valid" in r.stderr
    assert not any(c.startswith("build ") for c in log.read_text().splitlines())


def test_make_up_not_ready_shows_the_failing_service(tmp_path: Path) -> None:
    ws = workspace(tmp_path / "ws")
    log = tmp_path / "docker-calls"
    r = _make_up(ws, f"http://127.0.0.1:{_free_port()}", log, deadline="2s")
    assert r.returncode != 0
    assert "did not become ready within 2s" in r.stderr
    # the stand-in reports no container state: every service's log lines are shown
    for service in ("postgres", "migrate", "backend", "frontend"):
        assert f"--- last log lines of {service} ---\nlog line of {service}" in r.stderr
    assert "make up failed" in r.stderr
