"""`make -n` of the compose targets prints the docker commands with the right tags and files,
picks the override files from .env, and has no side effects."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "compose"))

from makehelpers import ROOT, TAG, make_workspace, run_make, snapshot  # noqa: E402


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    return make_workspace(tmp_path)


VERSION = (ROOT / "VERSION").read_text().strip()
COMPOSE = f"TAG={TAG} docker compose -p todo -f docker-compose.yml"


def dry(cwd: Path, *args: str) -> list[str]:
    r = run_make(cwd, *args)
    assert r.returncode == 0, r.stderr
    # one line per command: join the recipe's backslash-newline continuations, squeeze blanks
    text = re.sub(r"[ \t]*\\\n[ \t]*", " ", r.stdout)
    return [re.sub(r"(?<=\S)  +", " ", line) for line in text.splitlines()]


def index_of(lines: list[str], pattern: str) -> int:
    for i, line in enumerate(lines):
        if re.search(pattern, line):
            return i
    raise AssertionError(f"no line matches {pattern!r} in:\n" + "\n".join(lines))


def test_build_tags_both_images_with_tag_and_version_and_oci_labels() -> None:
    out = "\n".join(dry(ROOT, "build", "TOOLS_MODE=native", "GIT_SOURCE="))
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    backend = re.search(r"^DOCKER_BUILDKIT=1 docker build (.*-f docker/backend/Dockerfile .*)$", out, re.M)
    frontend = re.search(r"^DOCKER_BUILDKIT=1 docker build (.*-f docker/frontend/Dockerfile .*)$", out, re.M)
    assert backend and frontend, out
    assert backend.group(1).endswith(f"-t todo-backend:{TAG} -t todo-backend:{VERSION} .")
    assert frontend.group(1).endswith(f"-t todo-frontend:{TAG} -t todo-frontend:{VERSION} docker/frontend")
    for line, title in ((backend.group(1), "todo-backend"), (frontend.group(1), "todo-frontend")):
        assert f"--label org.opencontainers.image.title={title}" in line
        assert f"--label org.opencontainers.image.version={VERSION}" in line
        assert f"--label org.opencontainers.image.revision={head}" in line
        assert "--label org.opencontainers.image.created=" in line
        assert f"--build-arg VERSION={VERSION} " in line and "--build-arg GIT_SHA=" in line
    assert "mk/scripts/docker-preflight.sh" in out


def test_up_prepares_env_builds_starts_then_waits(workspace: Path) -> None:
    lines = dry(workspace, "up", "TOOLS_MODE=native")
    pre = index_of(lines, r"docker-preflight\.sh +3000 8000\s*$")
    env = index_of(
        lines, r"ENVCHECK='build/bin/envcheck' SECRETGEN='build/bin/secretgen' mk/scripts/stack-env\.sh \.env"
    )
    build = index_of(lines, rf"docker build .*-f docker/backend/Dockerfile .* -t todo-backend:{TAG} ")
    up = index_of(lines, rf"^{re.escape(COMPOSE)} up -d --no-build --remove-orphans$")
    wait = index_of(lines, r"mk/scripts/stack-wait\.sh --deadline 180s")
    assert pre < env < up and build < up < wait
    assert "PROBE='build/bin/probe'" in lines[wait]
    assert lines[wait].rstrip().endswith("http://localhost:3000/api/healthz http://localhost:8000/ready")
    assert re.search(r"--started [1-9][0-9]+ --open http://localhost:3000 --api http://localhost:8000", lines[wait])


def test_up_with_the_bundled_database_uses_the_base_file_only(workspace: Path) -> None:
    (workspace / ".env").write_text(
        "POSTGRES_USER=todo\nDATABASE_URL=postgresql://${POSTGRES_USER}:${POSTGRES_PASSWORD}@postgres:5432/${POSTGRES_DB}\n"
    )
    assert any(
        line == f"{COMPOSE} up -d --no-build --remove-orphans" for line in dry(workspace, "up", "TOOLS_MODE=native")
    )


def test_external_database_url_in_env_adds_the_external_db_override(workspace: Path) -> None:
    (workspace / ".env").write_text(
        "DATABASE_URL='postgresql://u:pw@ep-cool-1.eu-central-1.aws.neon.tech/todo?sslmode=require'\nPOSTGRES_PORT=5433\n"
    )
    lines = dry(workspace, "up", "TOOLS_MODE=native")
    files = "-f docker-compose.yml -f docker-compose.external-db.yml up -d"
    assert any(files in line for line in lines), lines
    assert not any("db-port" in line for line in lines), "no local postgres to publish"


def test_db_knob_forces_the_choice(workspace: Path) -> None:
    lines = dry(workspace, "ps", "DB=external")
    assert lines[-1] == f"{COMPOSE} -f docker-compose.external-db.yml ps --all"


def test_postgres_port_in_env_publishes_it_and_is_checked(workspace: Path) -> None:
    (workspace / ".env").write_text("POSTGRES_PORT=5433\nFRONTEND_PORT=3100\nBACKEND_PORT=8100\n")
    lines = dry(workspace, "up", "TOOLS_MODE=native")
    index_of(lines, r"docker-preflight\.sh +3100 8100 5433\s*$")
    index_of(lines, r"-f docker-compose\.yml -f docker-compose\.db-port\.yml up -d")
    wait = index_of(lines, r"stack-wait\.sh")
    assert "http://localhost:3100/api/healthz http://localhost:8100/ready" in lines[wait]


def test_without_a_c_compiler_the_tools_run_from_the_tools_image(workspace: Path) -> None:
    lines = dry(workspace, "up", "TOOLS_MODE=container")
    out = "\n".join(lines)
    tools = index_of(lines, rf"docker build .*-f docker/backend/Dockerfile --target tools .* -t todo-tools:{TAG} \.$")
    env = index_of(lines, r"stack-env\.sh")
    assert tools < env
    assert re.search(
        rf"ENVCHECK='docker run --rm --user \d+:\d+ -v {re.escape(str(workspace))}:/work -w /work "
        rf"--entrypoint envcheck todo-tools:{TAG}'",
        lines[env],
    )
    assert f"--entrypoint secretgen todo-tools:{TAG}" in lines[env]
    wait = index_of(lines, r"stack-wait\.sh")
    assert f"PROBE='docker run --rm --network todo_default --entrypoint probe todo-tools:{TAG}'" in lines[wait]
    assert "http://frontend:3000/api/healthz http://backend:8000/ready" in lines[wait]
    assert "--open http://localhost:3000" in lines[wait]
    assert "build/bin/" not in out


def test_down_keeps_the_volume(workspace: Path) -> None:
    assert dry(workspace, "down")[-1] == f"{COMPOSE} down --remove-orphans"


def test_clean_deletes_this_project_only(workspace: Path) -> None:
    line = dry(workspace, "clean")[-1]
    assert line.endswith("mk/scripts/docker-clean.sh todo todo-backend todo-frontend todo-tools")


def test_logs_ps_restart(workspace: Path) -> None:
    assert dry(workspace, "logs", "SERVICE=backend")[-1] == f"{COMPOSE} logs --follow --tail 100 backend"
    assert dry(workspace, "logs")[-1] == f"{COMPOSE} logs --follow --tail 100 "
    assert dry(workspace, "ps")[-1] == f"{COMPOSE} ps --all"
    assert dry(workspace, "restart", "SERVICE=frontend")[-1] == f"{COMPOSE} restart frontend"


def test_push_tags_and_pushes_both_tags_of_both_images(workspace: Path) -> None:
    out = "\n".join(dry(workspace, "push", "REGISTRY=ghcr.io/me/", "TOOLS_MODE=native"))
    for image in ("todo-backend", "todo-frontend"):
        for tag in (TAG, VERSION):
            assert f"{image}:{tag}" in out
    assert "docker push ghcr.io/me/$ref" in out and "docker tag $ref ghcr.io/me/$ref" in out
    assert "ghcr.io/me//" not in out


def test_push_without_registry_stops_before_building(workspace: Path) -> None:
    r = run_make(workspace, "push")
    assert r.returncode != 0 and "make push REGISTRY=" in r.stderr
    assert "docker build" not in r.stdout


def test_smoke_is_parameterised_by_the_urls(workspace: Path) -> None:
    line = dry(
        workspace,
        "smoke",
        "TOOLS_MODE=native",
        "FRONTEND_URL=http://127.0.0.1:41000",
        "BACKEND_URL=http://127.0.0.1:41001",
    )[-1]
    assert line == "PROBE='build/bin/probe' mk/scripts/stack-smoke.sh http://127.0.0.1:41000 http://127.0.0.1:41001"


def test_db_backup_and_restore_go_through_the_postgres_container(workspace: Path) -> None:
    assert (
        dry(workspace, "db-backup")[-1]
        == f"DB_EXEC='{COMPOSE} exec -T postgres' mk/scripts/stack-db.sh backup build/backups"
    )
    assert dry(workspace, "db-restore", "FILE=build/backups/x.dump")[-1] == (
        f"DB_EXEC='{COMPOSE} exec -T postgres' mk/scripts/stack-db.sh restore build/backups/x.dump"
    )


def test_without_env_down_says_why_instead_of_a_compose_error(workspace: Path) -> None:
    r = run_make(workspace, "ps", dry=False)
    assert r.returncode != 0
    assert "no .env here, so no stack was started with make up" in r.stderr


def test_db_backup_with_an_external_database_says_why_not(workspace: Path) -> None:
    r = run_make(workspace, "db-backup", "DB=external", dry=False)
    assert r.returncode == 2 and "DB is external" in r.stderr and 'pg_dump "$DATABASE_URL"' in r.stderr


def test_db_restore_without_file_says_how(workspace: Path) -> None:
    r = run_make(workspace, "db-restore", dry=False)
    assert r.returncode != 0
    assert "make db-restore FILE=" in r.stderr


def test_dry_runs_have_no_side_effects(workspace: Path) -> None:
    before = snapshot(workspace)
    for target in ("up", "build", "clean", "down", "db-backup", "push REGISTRY=r.example"):
        for mode in ("native", "container"):
            run_make(workspace, *target.split(), f"TOOLS_MODE={mode}")
    assert snapshot(workspace) == before
    assert not (workspace / ".env").exists()


def test_help_lists_the_compose_targets() -> None:
    r = subprocess.run(["make", "--no-print-directory", "help"], cwd=ROOT, capture_output=True, text=True, check=True)
    section = r.stdout.split("compose:", 1)[1]
    for target in ("build", "push", "up", "down", "clean", "logs", "ps", "restart", "smoke", "db-backup", "db-restore"):
        assert re.search(rf"^\s+{re.escape(target)}\s+\S", section, re.M), target


def test_compose_suites_are_registered() -> None:
    r = subprocess.run(
        ["make", "--no-print-directory", "test-list"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert {"compose-test", "stack-test"} <= set(r.stdout.split())
