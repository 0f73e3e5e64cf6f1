"""The compose targets, run for real in a scratch workspace against the recording docker
(tests/make/fake-docker.sh): which images are built and pushed under which names, which Compose
files the stack uses (decided from .env as Compose reads it), what the stack's ports are, and
that a dry run does nothing. The scripts behind them: test_docker_scripts.py."""

from __future__ import annotations

import difflib
import os
import re
import shlex
import socket
import subprocess
from pathlib import Path

import pytest
from makerun import BIN, FAKE_DOCKER, ROOT, TAG, VERSION, StandIns, make, snapshot, workspace


@pytest.fixture()
def ws(tmp_path: Path) -> Path:
    return workspace(tmp_path / "ws")


def docker_calls(log: Path) -> list[list[str]]:
    return [shlex.split(line) for line in log.read_text().splitlines()] if log.exists() else []


def run(ws: Path, *args: str, log: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """make ARGS against the recording docker, the native tools, with FAKE_LOG=log."""
    return make(ws, *args, f"DOCKER={FAKE_DOCKER}", "TOOLS_MODE=native",
                env={"FAKE_LOG": str(log), "FAKE_COMPOSE_VERSION": "v2.29.7", **(env or {})})


def compose_files(call: list[str]) -> list[str]:
    return [call[i + 1] for i, a in enumerate(call[:-1]) if a == "-f"]


def with_env(ws: Path, extra: str = "") -> None:
    """A valid .env as `make up` makes it (secretgen fill from .env.example); the keys of extra
    (KEY=value lines) move to its end, in extra's order, with extra's values."""
    subprocess.run([str(BIN / "secretgen"), "fill", "--schema", "env.schema.yaml", "--template", ".env.example",
                    ".env"], cwd=ws, check=True, capture_output=True)
    keys = {line.split("=", 1)[0] for line in extra.splitlines()}
    kept = [line for line in (ws / ".env").read_text().splitlines() if line.split("=", 1)[0] not in keys]
    (ws / ".env").write_text("\n".join(kept) + "\n" + extra)


def stack_calls(log: Path) -> list[list[str]]:
    """The calls of `docker compose` on this project (not the preflight's version checks)."""
    return [c for c in docker_calls(log) if c[:2] == ["compose", "-p"]]


def test_build_tags_both_images_with_tag_and_version_and_oci_labels(tmp_path: Path) -> None:
    log = tmp_path / "docker"
    r = run(ROOT, "build", log=log)  # in the checkout: the labels come from git
    assert r.returncode == 0, r.stderr
    builds = [c for c in docker_calls(log) if c[0] == "build"]
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    seen = {}
    for call in builds:
        dockerfile = call[call.index("-f") + 1]
        labels = dict(v.split("=", 1) for v in (call[i + 1] for i, a in enumerate(call) if a == "--label"))
        args = dict(v.split("=", 1) for v in (call[i + 1] for i, a in enumerate(call) if a == "--build-arg"))
        tags = [call[i + 1] for i, a in enumerate(call) if a == "-t"]
        seen[dockerfile] = (tags, call[-1])
        image = tags[0].split(":")[0]
        assert labels["org.opencontainers.image.title"] == image
        assert labels["org.opencontainers.image.version"] == VERSION
        assert labels["org.opencontainers.image.revision"] == head
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", labels["org.opencontainers.image.created"])
        assert args["VERSION"] == VERSION and args["GIT_SHA"]
    assert seen == {
        "docker/backend/Dockerfile": ([f"todo-backend:{TAG}", f"todo-backend:{VERSION}"], "."),
        "docker/frontend/Dockerfile": ([f"todo-frontend:{TAG}", f"todo-frontend:{VERSION}"], "docker/frontend"),
    }


@pytest.mark.parametrize(("dotenv", "files"), [
    # the bundled postgres, written with ${...} as .env.example does
    ("", ["docker-compose.yml"]),
    # an external database (Neon): the bundled postgres is not started
    ("DATABASE_URL='postgresql://u:pw@ep-cool-1.eu-central-1.aws.neon.tech/todo?sslmode=require'\n",
     ["docker-compose.yml", "docker-compose.external-db.yml"]),
    # only the interpolated value shows that this is the bundled postgres
    ("PGHOST=postgres\nDATABASE_URL=postgresql://u:${POSTGRES_PASSWORD}@${PGHOST}:5432/todo\n",
     ["docker-compose.yml"]),
    # an inline comment is not part of the value (Compose's reading)
    ("POSTGRES_PORT=5433 # for psql on the host\n", ["docker-compose.yml", "docker-compose.db-port.yml"]),
    # no local postgres to publish when the database is external
    ("DATABASE_URL=postgresql://u:pw@db.example.com/todo\nPOSTGRES_PORT=5433\n",
     ["docker-compose.yml", "docker-compose.external-db.yml"]),
])
def test_compose_files_follow_env_as_compose_reads_it(ws: Path, tmp_path: Path, dotenv: str, files: list[str]) -> None:
    with_env(ws, dotenv)
    log = tmp_path / "docker"
    r = run(ws, "ps", log=log)
    assert r.returncode == 0, r.stderr
    (call,) = stack_calls(log)
    assert call == ["compose", "-p", "todo", *(x for f in files for x in ("-f", f)), "ps", "--all"]


def test_db_knob_forces_the_choice(ws: Path, tmp_path: Path) -> None:
    with_env(ws)
    log = tmp_path / "docker"
    assert run(ws, "ps", "DB=external", log=log).returncode == 0
    (call,) = stack_calls(log)
    assert compose_files(call) == ["docker-compose.yml", "docker-compose.external-db.yml"]


def test_an_env_compose_would_refuse_stops_make(ws: Path, tmp_path: Path) -> None:
    (ws / ".env").write_text('DATABASE_URL="postgresql://u:p@postgres/todo\n')
    log = tmp_path / "docker"
    r = run(ws, "ps", log=log)
    assert r.returncode != 0
    assert "unterminated-quote" in r.stderr and ".env: cannot read DATABASE_URL" in r.stderr
    assert not docker_calls(log)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _held_port() -> socket.socket:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    return s


def test_up_checks_the_ports_env_gives(ws: Path, tmp_path: Path) -> None:
    with _held_port() as s:
        port = s.getsockname()[1]
        with_env(ws, f"FRONTEND_PORT={port}\n")
        log = tmp_path / "docker"
        r = run(ws, "up", log=log)
    assert r.returncode != 0
    assert f"port {port} is already taken" in r.stderr
    assert not [c for c in docker_calls(log) if c[0] in ("build", "compose") and "up" in c]


def test_without_a_c_compiler_the_tools_run_from_the_tools_image(ws: Path, tmp_path: Path) -> None:
    """TOOLS_MODE=container: the tools image is built first, .env is made and checked by its
    secretgen and envcheck, and probe waits from inside the stack's network."""
    log = tmp_path / "docker"
    ports = [f"{knob}={_free_port()}" for knob in ("FRONTEND_PORT", "BACKEND_PORT")]
    r = make(ws, "up", f"DOCKER={FAKE_DOCKER}", "TOOLS_MODE=container", "UP_DEADLINE=5s", *ports,
             env={"FAKE_LOG": str(log), "FAKE_COMPOSE_VERSION": "v2.29.7", "FAKE_TOOLS": str(BIN)})
    calls = docker_calls(log)
    tools_build = next(i for i, c in enumerate(calls)
                       if c[0] == "build" and "--target" in c and c[c.index("--target") + 1] == "tools")
    assert f"todo-tools:{TAG}" in calls[tools_build]
    runs = [(i, c) for i, c in enumerate(calls) if c[0] == "run"]
    by_tool = {c[c.index("--entrypoint") + 1]: (i, c) for i, c in runs}
    assert set(by_tool) == {"secretgen", "envcheck", "probe"}, runs
    assert tools_build < by_tool["secretgen"][0] < by_tool["envcheck"][0]
    assert f"{ws}:/work" in by_tool["secretgen"][1] and f"todo-tools:{TAG}" in by_tool["secretgen"][1]
    probe = by_tool["probe"][1]
    assert probe[probe.index("--network") + 1] == "todo_default"
    assert "http://frontend:3000/api/healthz" in probe and "http://backend:8000/ready" in probe
    assert (ws / ".env").exists(), "the tools image's secretgen made .env"
    # nothing answers inside the stand-in's network: make up fails after its deadline
    assert r.returncode != 0 and "did not become ready within 5s" in r.stderr


def test_compose_commands_name_the_project_and_keep_the_volume(ws: Path, tmp_path: Path) -> None:
    with_env(ws)
    log = tmp_path / "docker"
    for args in (("down",), ("logs", "SERVICE=backend"), ("restart", "SERVICE=frontend"), ("ps",)):
        assert run(ws, *args, log=log).returncode == 0
    calls = [c[c.index("docker-compose.yml") + 1:] for c in stack_calls(log)]
    assert calls == [["down", "--remove-orphans"], ["logs", "--follow", "--tail", "100", "backend"],
                     ["restart", "frontend"], ["ps", "--all"]]
    assert all("-v" not in c and "--volumes" not in c for c in calls)


def test_clean_deletes_this_project_only(ws: Path, tmp_path: Path) -> None:
    log = tmp_path / "docker"
    r = run(ws, "clean", log=log, env={"FAKE_IMAGES": "todo-backend:1\ntodo-tools:1\npostgres:15-alpine\n"})
    assert r.returncode == 0, r.stderr
    removed = [c for c in docker_calls(log) if c[:2] == ["image", "rm"]]
    assert removed == [["image", "rm", "-f", "todo-backend:1", "todo-tools:1"]]
    assert all("label=com.docker.compose.project=todo" in c for c in docker_calls(log) if c[0] in ("ps", "volume"))


@pytest.mark.parametrize("registry", ["ghcr.io/me", "ghcr.io/me/"])
def test_push_and_images_load_name_the_same_images(ws: Path, tmp_path: Path, registry: str) -> None:
    """REGISTRY with or without a trailing slash: images-load pushes exactly what push pushed."""
    log = tmp_path / "docker"
    r = run(ws, "push", f"REGISTRY={registry}", log=log)
    assert r.returncode == 0, r.stderr
    pushed = [c[1] for c in docker_calls(log) if c[0] == "push"]
    assert pushed == [f"ghcr.io/me/{i}:{t}" for i in ("todo-backend", "todo-frontend") for t in (TAG, VERSION)]
    tagged = [c[1:] for c in docker_calls(log) if c[0] == "tag"]
    assert [src for src, _ in tagged] == [p.removeprefix("ghcr.io/me/") for p in pushed]
    # cluster-images-load.sh pushes with the docker on PATH
    stand_ins = StandIns(tmp_path / "load")
    r = make(ws, "images-load", f"REGISTRY={registry}", env=stand_ins.on_path("docker", "kubectl"))
    assert r.returncode == 0, r.stderr
    loaded = [c.argv[2] for c in stand_ins.calls("docker") if c.argv[1] == "push"]
    assert loaded == [p for p in pushed if p.endswith(TAG)]


def test_push_without_registry_stops_before_building(ws: Path, tmp_path: Path) -> None:
    log = tmp_path / "docker"
    r = run(ws, "push", log=log)
    assert r.returncode != 0 and "make push REGISTRY=" in r.stderr
    assert not docker_calls(log)


def test_db_backup_and_restore_go_through_the_postgres_container(ws: Path, tmp_path: Path) -> None:
    with_env(ws)
    bindir = tmp_path / "pg"
    bindir.mkdir()
    (bindir / "pg_dump").write_text('#!/bin/sh\necho "pg_dump $* as $POSTGRES_USER" >&2\nprintf PGDMP-fake\n')
    (bindir / "pg_restore").write_text(f'#!/bin/sh\ncat >{tmp_path}/restored\n')
    for f in bindir.iterdir():
        f.chmod(0o755)
    log = tmp_path / "docker"
    env = {"FAKE_EXEC": "1", "POSTGRES_USER": "todo", "POSTGRES_DB": "todo", "PATH": f"{bindir}:{os.environ['PATH']}"}
    r = run(ws, "db-backup", log=log, env=env)
    assert r.returncode == 0, r.stderr
    (dump,) = (ws / "build" / "backups").glob("todo-*.dump")
    assert dump.read_text() == "PGDMP-fake"
    r = run(ws, "db-restore", f"FILE={dump}", log=log, env=env)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "restored").read_text() == "PGDMP-fake"
    execs = [c for c in stack_calls(log) if "exec" in c]
    assert len(execs) == 2 and all(c[c.index("exec") + 1:c.index("exec") + 3] == ["-T", "postgres"] for c in execs)


def test_without_env_down_says_why_instead_of_a_compose_error(ws: Path, tmp_path: Path) -> None:
    r = run(ws, "ps", log=tmp_path / "docker")
    assert r.returncode != 0
    assert "no .env here, so no stack was started with make up" in r.stderr


def test_db_backup_with_an_external_database_says_why_not(ws: Path, tmp_path: Path) -> None:
    r = run(ws, "db-backup", "DB=external", log=tmp_path / "docker")
    assert r.returncode == 2 and "DB is external" in r.stderr and 'pg_dump "$DATABASE_URL"' in r.stderr


def test_db_restore_without_file_says_how(ws: Path, tmp_path: Path) -> None:
    with_env(ws)
    r = run(ws, "db-restore", log=tmp_path / "docker")
    assert r.returncode != 0
    assert "make db-restore FILE=" in r.stderr


def test_dry_runs_have_no_side_effects(ws: Path) -> None:
    before = snapshot(ws)
    for target in ("up", "build", "clean", "down", "db-backup", "push REGISTRY=r.example"):
        for mode in ("native", "container"):
            make(ws, *target.split(), f"TOOLS_MODE={mode}", dry=True)
    assert snapshot(ws) == before
    assert not (ws / ".env").exists()


def test_help_lists_the_compose_targets_once() -> None:
    r = subprocess.run(["make", "--no-print-directory", "help"], cwd=ROOT, capture_output=True, text=True, check=True)
    headings = re.findall(r"^(\S+):", r.stdout, re.M)
    assert len(headings) == len(set(headings)), f"a concern listed twice: {headings}"
    section = r.stdout.split("\ncompose:", 1)[1].split("\n\n", 1)[0]
    for target in ("build", "push", "up", "down", "clean", "logs", "ps", "restart", "smoke", "db-backup", "db-restore"):
        assert re.search(rf"^\s+{re.escape(target)}\s+\S", section, re.M), target


def test_every_benchmark_is_a_bench_target() -> None:
    r = subprocess.run(["make", "--no-print-directory", "help"], cwd=ROOT, capture_output=True, text=True, check=True)
    described = re.findall(r"^  (\S+)\s+bench: ", r.stdout, re.M)
    assert described and all(t.startswith("bench-") for t in described), described
    assert {"bench-backend", "bench-frontend", "bench-envcheck", "bench-kubelint", "bench-probe"} <= set(described)


def test_compose_suites_are_registered() -> None:
    r = subprocess.run(
        ["make", "--no-print-directory", "test-list"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert {"compose-test", "stack-test"} <= set(r.stdout.split())


def test_no_mk_file_depends_on_the_include_order(tmp_path: Path) -> None:
    """Each mk/*.mk takes shared settings from config.mk only: included in reverse order, every
    target does exactly what it does in the usual order."""
    files = sorted(p.name for p in (ROOT / "mk").glob("*.mk") if p.name not in ("config.mk", "test.mk"))
    reverse = tmp_path / "Makefile.reversed"
    reverse.write_text(".DEFAULT_GOAL := help\ninclude mk/config.mk\n"
                       + "".join(f"include mk/{name}\n" for name in reversed(files)) + "include mk/test.mk\n")
    targets = [("k8s-deploy",), ("helm-install", "ENV=prod"), ("images-load", "REGISTRY=ghcr.io/me/"),
               ("up", "TOOLS_MODE=native"), ("up", "TOOLS_MODE=container"), ("push", "REGISTRY=r.example"),
               ("lint",), ("charts-test",), ("compose-test",), ("backend-test",), ("frontend-test",),
               ("bench-probe",), ("bench-kubelint",), ("chart-docs",), ("test-list",)]
    for args in targets:
        usual = make(ROOT, *args, f"BUILD={tmp_path}/build", "BIN=build/bin", dry=True)
        other = make(ROOT, "-f", str(reverse), *args, f"BUILD={tmp_path}/build", "BIN=build/bin", dry=True)
        assert usual.returncode == 0, (args, usual.stderr)
        # `make up` prints when it started (--started SECONDS): the two runs differ there only
        same = [re.sub(r"--started \d+", "--started T", r.stdout) for r in (usual, other)]
        assert other.returncode == usual.returncode and same[0] == same[1], \
            (args, *difflib.unified_diff(same[0].splitlines(), same[1].splitlines(), lineterm=""))
