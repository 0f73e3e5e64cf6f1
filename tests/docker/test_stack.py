"""The Compose stack on the private engine, driven by the product's own targets, unchanged, in a
scratch clone with no .env: `make up`, `make smoke`, the browser e2e suite, the containers'
hardening, a crash, `make down` + `make up`, a second `make up`, backup and restore, chaos, and
`make clean`. The tests run in this order and share the one stack."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import string
import time
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

import pytest
from dockerlib import (
    BUILD_FLAGS,
    PROJECT,
    ROOT,
    docker,
    free_port,
    http,
    inspect,
    project_containers,
    require_engine,
    run,
    scratch_clone,
    wait_ok,
)

SERVICES = ("postgres", "migrate", "backend", "frontend")


class Stack:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.frontend_port = free_port()
        self.backend_port = free_port()
        # Compose reads the published ports from the environment before .env, and Make's knobs too.
        self.env = {"FRONTEND_PORT": str(self.frontend_port), "BACKEND_PORT": str(self.backend_port)}
        self.api = f"http://127.0.0.1:{self.backend_port}"
        self.web = f"http://127.0.0.1:{self.frontend_port}"

    def make(self, *args: str, timeout: float = 1800, check: bool = True) -> Any:
        return run(["make", *args, f"DOCKER_BUILD_FLAGS={BUILD_FLAGS}"], cwd=self.path, env=self.env,
                   timeout=timeout, check=check)

    def user(self, name: str) -> dict[str, str]:
        email = f"{name}-{time.time_ns()}@example.com"
        code, body = http("POST", f"{self.api}/api/auth/register", {"email": email, "password": "a long passphrase 1", "name": name})
        assert code in (200, 201), (code, body)
        return {"id": str(body["user"]["id"]), "token": body["access_token"], "email": email}

    def add_task(self, user: dict[str, str], title: str) -> dict[str, Any]:
        code, body = http("POST", f"{self.api}/api/{user['id']}/tasks", {"title": title}, user["token"])
        assert code in (200, 201), (code, body)
        return body

    def titles(self, user: dict[str, str]) -> list[str]:
        code, body = http("GET", f"{self.api}/api/{user['id']}/tasks?status=all", token=user["token"])
        assert code == 200, (code, body)
        return sorted(t["title"] for t in body)


@pytest.fixture(scope="module")
def stack() -> Stack:
    require_engine()
    s = Stack(scratch_clone(ROOT / "build/docker-test/scratch"))
    assert not (s.path / ".env").exists()
    return s


@pytest.fixture(scope="module")
def up(stack: Stack) -> Stack:
    t0 = time.monotonic()
    out = stack.make("up")
    took = time.monotonic() - t0
    m = re.search(r"is up in (\d+) s", out.stdout)
    print(f"\nmake up (no .env, images cached by the build test): ready in {took:.0f} s"
          + (f" (make up says {m.group(1)} s)" if m else ""))
    return stack


def test_make_up_creates_env_and_every_service_becomes_healthy(up: Stack) -> None:
    env_file = up.path / ".env"
    assert env_file.exists(), "make up did not create .env"
    assert oct(env_file.stat().st_mode & 0o777) == "0o600", "the generated .env must be private (0600)"
    cs = project_containers()
    assert set(cs) == set(SERVICES), f"services: {sorted(cs)}"
    # make up waits until the app answers; Docker's own health checks run on their interval
    t0 = time.monotonic()
    for name in ("postgres", "backend", "frontend"):
        while (st := inspect(cs[name]["Id"])["State"])["Health"]["Status"] == "starting" and time.monotonic() - t0 < 60:
            time.sleep(0.5)
        assert st["Status"] == "running" and st["Health"]["Status"] == "healthy", f"{name}: {st}"
    print(f"\nevery service healthy by Docker's health checks {time.monotonic() - t0:.0f} s after make up returned")
    mig = cs["migrate"]["State"]
    assert mig["Status"] == "exited" and mig["ExitCode"] == 0, f"migrate: {mig}"


def test_migrate_shows_no_inherited_healthcheck_after_it_exits(up: Stack) -> None:
    mig = project_containers()["migrate"]
    assert mig["State"].get("Health") is None, f"the one-shot migrate has a health status: {mig['State'].get('Health')}"
    assert "unhealthy" not in docker("ps", "-a", "--filter", f"label=com.docker.compose.project={PROJECT}")


def test_make_smoke_passes_against_the_stack(up: Stack) -> None:
    out = up.make("smoke", timeout=300)
    assert "smoke" in (out.stdout + out.stderr).lower()


def test_browser_e2e_suite_passes_against_the_stack(up: Stack) -> None:
    env = {
        "E2E_BASE_URL": up.web,
        "E2E_API_URL": up.api,
        "E2E_COMPOSE": f"docker compose -p {PROJECT} -f {up.path / 'docker-compose.yml'}",
        "E2E_OUT": str(ROOT / "build/docker-test/e2e"),
    }
    run(["make", "-s", "e2e"], cwd=ROOT, env={**up.env, **env}, timeout=900)


def _get_raw(base: str, path: str) -> tuple[int, str]:
    """GET with the path sent exactly as written (no client-side normalisation of dots or escapes)."""
    host, port = base.removeprefix("http://").split(":")
    conn = HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, r.read().decode(errors="replace")
    finally:
        conn.close()


def _requests_total(text: str, route: str, status: str) -> float:
    m = re.search(rf'^http_requests_total\{{method="GET",route="{re.escape(route)}",status="{status}"\}} (\S+)$', text, re.M)
    return float(m.group(1)) if m else 0.0


def test_backend_metrics_move_with_requests_and_are_not_served_through_the_frontend(up: Stack) -> None:
    """The backend's /metrics (Prometheus text) counts what it serves; the frontend's same-origin
    proxy forwards /api/... only, so no path through the published frontend port reaches it."""
    user = up.user("metrics")
    code, before = _get_raw(up.api, "/metrics")
    assert code == 200 and "# TYPE http_requests_total counter" in before, before[:300]
    for _ in range(3):
        up.titles(user)
    code, after = _get_raw(up.api, "/metrics")
    route = "/api/{user_id}/tasks"
    assert _requests_total(after, route, "200") - _requests_total(before, route, "200") == 3
    assert "todo_db_up 1.0" in after and 'todo_db_pool_connections{state="in_use"}' in after
    for path in ("/metrics", "/api/metrics", "/api/../metrics", "/api/%2e%2e/metrics", "/api/..%2fmetrics",
                 "/api/%2E%2E/%2E%2E/metrics", "/api//metrics"):
        code, body = _get_raw(up.web, path)
        assert "# TYPE" not in body and "http_requests" not in body, f"{path} -> {code}: the frontend served metrics"
        assert code >= 300, f"{path} -> {code}"  # refused, not found, or a redirect to a normalised path
        print(f"frontend {path} -> {code}")


def _exec(cid: str, script: str) -> tuple[int, str]:
    p = run(["docker", "exec", cid, "sh", "-c", script], check=False, quiet=True)
    return p.returncode, (p.stdout + p.stderr).strip()


@pytest.mark.parametrize(
    ("service", "tmpfs"),
    [("backend", ["/tmp"]), ("frontend", ["/tmp", "/app/.next/cache"])],
)
def test_container_is_hardened(up: Stack, service: str, tmpfs: list[str]) -> None:
    cid = project_containers()[service]["Id"]
    rc, uid = _exec(cid, "id -u")
    assert rc == 0 and uid != "0", f"{service} runs as uid {uid}"
    rc, out = _exec(cid, "touch /app/written-by-test")
    assert rc != 0 and "Read-only file system" in out, f"{service}: the root filesystem is writable ({out})"
    for path in tmpfs:
        rc, out = _exec(cid, f"touch {path}/written-by-test && rm {path}/written-by-test")
        assert rc == 0, f"{service}: tmpfs {path} is not writable by the app user ({out})"
    status = _exec(cid, "cat /proc/1/status")[1]
    fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
    for cap in ("CapEff", "CapPrm", "CapBnd"):
        assert int(fields[cap], 16) == 0, f"{service}: {cap} {fields[cap]} (capabilities not all dropped)"
    assert fields["NoNewPrivs"].strip() == "1", f"{service}: no-new-privileges is off"


@pytest.mark.parametrize(("service", "path"), [("backend", "/ready"), ("frontend", "/api/healthz")])
def test_a_crash_is_restarted_by_the_policy_within_10s(up: Stack, service: str, path: str) -> None:
    before = project_containers()[service]
    pid = before["State"]["Pid"]
    assert pid > 0
    url = (up.api if service == "backend" else up.web) + path
    wait_ok(url, 30)
    t0 = time.monotonic()
    os.kill(pid, signal.SIGKILL)  # the main process dies inside the container: a crash, not a docker stop
    while True:
        assert time.monotonic() - t0 < 10, f"{service} was not restarted and answering within 10 s"
        info = inspect(before["Id"])
        if info["RestartCount"] > before["RestartCount"] and info["State"]["Running"]:
            break
        time.sleep(0.1)
    took = wait_ok(url, 10 - (time.monotonic() - t0)) + (time.monotonic() - t0)
    print(f"\n{service}: killed, restarted by Docker (restart count {info['RestartCount']}), answering again")
    print(f"{service}: recovery {time.monotonic() - t0:.1f} s")
    assert took < 10


def test_down_then_up_keeps_tasks_and_sessions(up: Stack) -> None:
    user = up.user("keep")
    up.add_task(user, "survives a restart")
    up.make("down")
    assert not [c for c in project_containers().values() if c["State"]["Running"]], "make down left containers running"
    up.make("up")
    assert up.titles(user) == ["survives a restart"], "the task or the session was lost by make down + make up"


def test_second_up_with_nothing_changed_recreates_no_container(up: Stack) -> None:
    before = {name: c["Id"] for name, c in project_containers().items()}
    up.make("up")
    after = {name: c["Id"] for name, c in project_containers().items()}
    assert after == before, f"containers recreated: {[n for n in before if before[n] != after.get(n)]}"


def test_db_backup_then_restore_round_trips_the_data(up: Stack) -> None:
    user = up.user("backup")
    for title in ("alpha", "beta"):
        up.add_task(user, title)
    out = up.make("db-backup", timeout=120)
    m = re.search(r"db-backup: (\S+\.dump)", out.stdout)
    assert m, out.stdout
    dump = up.path / m.group(1) if not m.group(1).startswith("/") else Path(m.group(1))
    assert dump.stat().st_size > 0
    tasks = http("GET", f"{up.api}/api/{user['id']}/tasks?status=all", token=user["token"])[1]
    http("DELETE", f"{up.api}/api/{user['id']}/tasks/{tasks[0]['id']}", token=user["token"])
    up.add_task(user, "gamma, after the backup")
    assert up.titles(user) != ["alpha", "beta"]
    up.make("db-restore", f"FILE={dump}", timeout=120)
    assert up.titles(user) == ["alpha", "beta"], "the restore did not bring back the data as it was at backup time"


def test_chaos_test_compose_loses_no_acknowledged_write(up: Stack) -> None:
    migrate_started = project_containers()["migrate"]["State"]["StartedAt"]
    out_dir = ROOT / "build/docker-test/chaos"
    up.make("chaos-test", "CHAOS_TARGET=compose", "CHAOS_ROUNDS=2", "CHAOS_INTERVAL=3s", f"CHAOS_OUT={out_dir}",
            timeout=900)
    latest = out_dir / "latest"
    report = json.loads((latest / "report.json").read_text())
    assert (latest / "report.html").exists()
    for name, res in report["scenarios"].items():
        print(f"\nchaos (compose) {name}: {res['verdict']} {json.dumps(res.get('figures', res.get('reason')))[:1500]}")
    assert report["acknowledged"] > 0 and report["lost"] == 0, (report["acknowledged"], report["lost"])
    assert report["passed"] is True, "a chaos scenario failed (see the report)"
    assert project_containers()["migrate"]["State"]["StartedAt"] == migrate_started, \
        "a backend restart during chaos re-ran the one-shot migrate service"


def test_up_with_another_database_password_says_why_and_loses_nothing(up: Stack) -> None:
    """.env regenerated while the volume keeps the old password: make up stops at once with the
    migrate service's refusal and what to do; the old .env back, the data is all there."""
    user = up.user("password")
    up.add_task(user, "kept through a refused password")
    env_file = up.path / ".env"
    original = env_file.read_text()
    other = "".join(random.choice(string.ascii_letters) for _ in range(32))  # not the volume's
    env_file.write_text(re.sub(r"^POSTGRES_PASSWORD=.*$", f"POSTGRES_PASSWORD={other}", original, flags=re.M))
    try:
        t0 = time.monotonic()
        r = up.make("up", check=False, timeout=600)
        took = time.monotonic() - t0
    finally:
        env_file.write_text(original)
    print(f"\nmake up with another POSTGRES_PASSWORD: exit {r.returncode} after {took:.0f} s")
    assert r.returncode != 0
    assert "docker compose up failed" in r.stderr, r.stderr[-2000:]
    assert "password authentication failed" in r.stderr
    assert "its volume was initialised with another POSTGRES_PASSWORD" in r.stderr
    assert other not in r.stdout + r.stderr, "the password was printed"
    up.make("up")
    assert up.titles(user) == ["kept through a refused password"]


def test_make_clean_leaves_nothing_of_the_project(up: Stack) -> None:
    up.make("clean", timeout=300)
    label = f"label=com.docker.compose.project={PROJECT}"
    assert docker("ps", "-aq", "--filter", label) == ""
    assert docker("volume", "ls", "-q", "--filter", label) == ""
    assert docker("network", "ls", "-q", "--filter", label) == ""
    images = docker("image", "ls", "-a", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}",
                    "--filter", "label=com.todo-chatbot.project=todo")
    assert images == "", f"images left (dangling ones included): {images}"
    for repo in ("todo-backend", "todo-frontend", "todo-tools"):
        assert docker("image", "ls", "-q", repo) == "", f"{repo} images left"
