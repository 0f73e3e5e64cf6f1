"""`make build` on the private engine: both images build, and each is fit to ship (non-root,
a HEALTHCHECK, no compiler in the runtime image). Reports each size and the part above its base."""

from __future__ import annotations

import json
import re

import pytest
from dockerlib import BUILD_FLAGS, ROOT, docker, inspect, require_engine, run

IMAGES = {
    "todo-backend": {"base": "python:3.11-slim-bookworm"},
    "todo-frontend": {"base": "node:18-alpine"},
}
COMPILERS = ["cc", "gcc", "g++", "c++", "clang", "tcc", "make"]


@pytest.fixture(scope="module")
def tag() -> str:
    require_engine()
    out = run(["make", "-s", "version"], quiet=True).stdout
    m = re.search(r"^TAG=(\S+)$", out, re.M)
    assert m, out
    return m.group(1)


@pytest.fixture(scope="module")
def built(tag: str) -> dict[str, dict]:
    run(["make", "build", f"DOCKER_BUILD_FLAGS={BUILD_FLAGS}"], timeout=1800)
    return {name: inspect(f"{name}:{tag}") for name in IMAGES}


def mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def test_make_build_makes_both_images_and_reports_their_sizes(built: dict[str, dict]) -> None:
    for name, info in built.items():
        base_name = IMAGES[name]["base"]
        base = inspect(base_name)
        lookalike = base["Config"]["Labels"] or {}
        kind = "look-alike base" if "org.todo-chatbot.lookalike" in lookalike else "base"
        above = info["Size"] - base["Size"]
        print(f"\nimage {name}: {mb(info['Size'])} ({mb(above)} above its {kind} {base_name}, {mb(base['Size'])})")
        assert info["Size"] > base["Size"]


@pytest.mark.parametrize("name", IMAGES)
def test_image_runs_as_a_non_root_user(built: dict[str, dict], name: str) -> None:
    user = built[name]["Config"]["User"]
    assert user, f"{name} has no USER: it would run as root"
    uid = user.split(":")[0]
    assert uid not in ("0", "root"), f"{name} runs as {user}"
    assert uid.isdigit(), f"{name}: USER {user} is not numeric (Kubernetes runAsNonRoot cannot verify a name)"


@pytest.mark.parametrize("name", IMAGES)
def test_image_has_a_healthcheck(built: dict[str, dict], name: str) -> None:
    hc = built[name]["Config"].get("Healthcheck") or {}
    assert hc.get("Test") and hc["Test"][0] != "NONE", f"{name} has no HEALTHCHECK"


@pytest.mark.parametrize("name", IMAGES)
def test_runtime_image_holds_no_compiler(built: dict[str, dict], name: str, tag: str) -> None:
    script = "for c in " + " ".join(COMPILERS) + '; do command -v "$c"; done; ls -d /usr/lib/gcc 2>/dev/null; true'
    found = docker("run", "--rm", "--network=none", "--entrypoint", "/bin/sh", f"{name}:{tag}", "-c", script)
    assert found == "", f"{name} holds build tools: {found}"


def test_build_date_comes_from_the_commit_so_a_rebuild_changes_nothing(built: dict[str, dict], tag: str) -> None:
    """Rebuilding unchanged sources gives the same image ids (no build-time stamp)."""
    run(["make", "build", f"DOCKER_BUILD_FLAGS={BUILD_FLAGS}"], timeout=1800, quiet=True)
    for name, info in built.items():
        assert inspect(f"{name}:{tag}")["Id"] == info["Id"], f"{name} got a new image id from an unchanged tree"
    created = built["todo-backend"]["Config"]["Labels"]["org.opencontainers.image.created"]
    commit = run(
        ["git", "log", "-1", "--date=format-local:%Y-%m-%dT%H:%M:%SZ", "--format=%cd"], env={"TZ": "UTC"}, quiet=True
    ).stdout.strip()
    assert created == commit, f"org.opencontainers.image.created={created}, the commit's date is {commit}"


def _spdx_packages(path) -> dict[str, set[str]]:
    """name -> versions of the packages an SPDX JSON document lists."""
    doc = json.loads(path.read_text())
    assert doc["spdxVersion"].startswith("SPDX-"), doc.get("spdxVersion")
    out: dict[str, set[str]] = {}
    for p in doc["packages"]:
        out.setdefault(p["name"].lower(), set()).add(p.get("versionInfo", ""))
    return out


def test_make_sbom_lists_python_and_psycopg_for_the_backend_and_next_for_the_frontend(
    built: dict[str, dict], tag: str
) -> None:
    """`make sbom` (syft, pinned) on the images `make build` made: an SPDX document per image in
    build/sbom/, naming the runtime and the packages the app pins."""
    run(["make", "sbom"], timeout=900)
    sbom = ROOT / "build" / "sbom"
    backend = _spdx_packages(sbom / f"todo-backend_{tag}.spdx.json")
    frontend = _spdx_packages(sbom / f"todo-frontend_{tag}.spdx.json")
    pins = {
        name.split("[")[0].lower(): version  # psycopg[binary]==3.3.9 pins psycopg
        for name, version in (
            line.split("==", 1)
            for line in (ROOT / "docker/backend/requirements.txt").read_text().splitlines()
            if "==" in line and not line.startswith("#")
        )
    }
    assert pins["psycopg"] in backend.get("psycopg", set()), sorted(backend)[:50]
    assert pins["fastapi"] in backend.get("fastapi", set())
    assert any(name.startswith("python") for name in backend), "no Python runtime in the backend's SBOM"
    next_version = json.loads((ROOT / "docker/frontend/package.json").read_text())["dependencies"]["next"]
    assert "next" in frontend, sorted(frontend)[:50]
    assert next_version.lstrip("^~") in frontend["next"], frontend["next"]
