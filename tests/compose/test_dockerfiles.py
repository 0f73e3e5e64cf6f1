"""Both Dockerfiles pass hadolint (the backend and frontend suites run it too; this suite only
asserts that the images `make build` builds are lint-clean) and expose what Compose relies on;
the compose scripts pass shellcheck."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from composefile import ROOT

HADOLINT = Path(os.environ.get("HADOLINT", ROOT / "build/venv-tools/bin/hadolint"))
DOCKERFILES = {"backend": ROOT / "docker/backend/Dockerfile", "frontend": ROOT / "docker/frontend/Dockerfile"}


def _dockerfile(name: str) -> Path:
    path = DOCKERFILES[name]
    if not path.exists():
        pytest.fail(f"{path.relative_to(ROOT)} does not exist yet (the {name} issue delivers it)")
    return path


@pytest.mark.parametrize("name", sorted(DOCKERFILES))
def test_hadolint_clean(name: str) -> None:
    path = _dockerfile(name)
    config = [c for c in (path.parent / ".hadolint.yaml", ROOT / ".hadolint.yaml") if c.exists()]
    cmd = [str(HADOLINT), *(["--config", str(config[0])] if config else []), str(path)]
    r = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stdout + r.stderr


def test_backend_has_the_tools_stage() -> None:
    """make tools-image builds `--target tools`; the container fallback runs envcheck/secretgen/probe."""
    text = _dockerfile("backend").read_text()
    assert re.search(r"^FROM\s+\S+\s+AS\s+tools\s*$", text, re.M | re.I)


@pytest.mark.parametrize("name,port", [("backend", "8000"), ("frontend", "3000")])
def test_exposes_the_port_compose_publishes(name: str, port: str) -> None:
    assert re.search(rf"^EXPOSE\s+{port}\b", _dockerfile(name).read_text(), re.M)


def test_backend_dockerignore_next_to_the_dockerfile() -> None:
    """The backend's build context is the repo root: BuildKit reads <Dockerfile>.dockerignore."""
    _dockerfile("backend")
    assert (ROOT / "docker/backend/Dockerfile.dockerignore").exists()


def test_compose_scripts_pass_shellcheck() -> None:
    scripts = sorted((ROOT / "mk/scripts").glob("docker-*.sh")) + sorted((ROOT / "mk/scripts").glob("stack-*.sh"))
    assert len(scripts) >= 6
    shellcheck = HADOLINT.parent / "shellcheck"
    r = subprocess.run([str(shellcheck), "-x", *map(str, scripts)], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stdout + r.stderr
