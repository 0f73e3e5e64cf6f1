"""`make doctor`'s diagnosis (python3 -m doctor), offline, against hand-written fixtures shaped
like real `kubectl get ... -o json` output of broken deployments (fixtures/<case>/)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = Path(__file__).parent / "fixtures"
CASES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def run_doctor(*args: str) -> subprocess.CompletedProcess[str]:
    """python3 -m doctor ARGS, as `make doctor` runs it (tools/ on PYTHONPATH)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "tools"))
    return subprocess.run([sys.executable, "-m", "doctor", *args], capture_output=True, text=True, env=env)


def _diagnose(case: str, tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    work = tmp_path / case
    shutil.copytree(FIXTURES / case, work)
    return run_doctor(str(work)), work


@pytest.mark.parametrize("case", CASES)
def test_doctor_explains_the_broken_state(case: str, tmp_path: Path) -> None:
    r, work = _diagnose(case, tmp_path)
    assert r.returncode == 0, r.stderr
    expected = [
        line for line in (FIXTURES / case / "expect.txt").read_text().splitlines() if line and not line.startswith("#")
    ]
    for fragment in expected:
        assert fragment in r.stdout, f"{case}: {fragment!r} not in:\n{r.stdout}"
    assert (work / "diagnosis.txt").read_text() == r.stdout


def test_fixtures_cover_the_required_failure_modes() -> None:
    assert {
        "image-pull",
        "crashloop-envcheck",
        "pending-insufficient-cpu",
        "readiness-failing",
        "missing-secret-key",
        "healthy",
    } <= set(CASES)


def test_healthy_state_reports_no_problem_and_broken_ones_are_numbered(tmp_path: Path) -> None:
    assert "No problem found" in _diagnose("healthy", tmp_path)[0].stdout
    out = _diagnose("image-pull", tmp_path)[0].stdout
    assert out.splitlines()[1].startswith("1. ")


def test_unreadable_json_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "pods.json").write_text("{not json")
    r = run_doctor(str(tmp_path))
    assert r.returncode == 2 and "not JSON" in r.stderr


def test_a_missing_directory_or_no_argument_is_a_usage_error(tmp_path: Path) -> None:
    r = run_doctor(str(tmp_path / "absent"))
    assert r.returncode == 2 and "absent: no such directory" in r.stderr
    r = run_doctor()
    assert r.returncode == 2 and "usage: python3 -m doctor DIR" in r.stderr


def test_doctor_ai_is_skipped_with_a_note_without_kubectl_ai(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "image-pull", tmp_path / "d")
    assert run_doctor(str(tmp_path / "d")).returncode == 0
    r = subprocess.run(
        [str(ROOT / "mk/scripts/doctor-ai.sh"), str(tmp_path / "d")],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert r.returncode == 0 and "kubectl-ai is not installed" in r.stdout


def test_doctor_ai_gets_the_diagnosis_when_installed(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "image-pull", tmp_path / "d")
    assert run_doctor(str(tmp_path / "d")).returncode == 0
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "kubectl-ai").write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$(dirname "$0")/args"\n')
    (shim / "kubectl-ai").chmod(0o755)
    r = subprocess.run(
        [str(ROOT / "mk/scripts/doctor-ai.sh"), str(tmp_path / "d")],
        capture_output=True,
        text=True,
        env={"PATH": f"{shim}:/usr/bin:/bin"},
    )
    assert r.returncode == 0, r.stderr
    args = (shim / "args").read_text()
    assert "--quiet" in args and "cannot pull the image todo-frontend" in args


def test_doctor_ai_1_fails_without_kubectl_ai_and_0_never_asks(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "image-pull", tmp_path / "d")
    assert run_doctor(str(tmp_path / "d")).returncode == 0
    script = str(ROOT / "mk/scripts/doctor-ai.sh")

    def ai(path: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([script, str(tmp_path / "d")], capture_output=True, text=True, env={"PATH": path, **env})

    r = ai("/usr/bin:/bin", AI="1")
    assert r.returncode == 1 and "AI=1 asks kubectl-ai, which is not on PATH" in r.stderr
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "kubectl-ai").write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$(dirname "$0")/args"\n')
    (shim / "kubectl-ai").chmod(0o755)
    r = ai(f"{shim}:/usr/bin:/bin", AI="0")
    assert r.returncode == 0 and r.stdout == "" and not (shim / "args").exists()
    r = ai(f"{shim}:/usr/bin:/bin", AI="1", KUBECTL_AI_ARGS="--llm-provider=openai --model=gpt-4.1")
    assert r.returncode == 0, r.stderr
    args = (shim / "args").read_text().splitlines()
    assert args[:3] == ["--quiet", "--llm-provider=openai", "--model=gpt-4.1"]
    assert args[3].startswith("The Todo Chatbot deployment in namespace")
    assert args[-1] == "Do not change anything in the cluster."
    assert ai("/usr/bin:/bin", AI="yes").returncode == 2
