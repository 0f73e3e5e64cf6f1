"""`make doctor`'s diagnosis, offline, against hand-written fixtures shaped like real
`kubectl get ... -o json` output of broken deployments (fixtures/doctor/<case>/)."""

import pathlib
import shutil
import subprocess

import pytest

from chartlib import ROOT

FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "doctor"
CASES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())
DIAGNOSE = ROOT / "mk/scripts/doctor-diagnose.sh"


def _diagnose(case, tmp_path):
    work = tmp_path / case
    shutil.copytree(FIXTURES / case, work)
    r = subprocess.run([str(DIAGNOSE), str(work)], capture_output=True, text=True)
    return r, work


@pytest.mark.parametrize("case", CASES)
def test_doctor_explains_the_broken_state(case, tmp_path):
    r, work = _diagnose(case, tmp_path)
    assert r.returncode == 0, r.stderr
    expected = [line for line in (FIXTURES / case / "expect.txt").read_text().splitlines()
                if line and not line.startswith("#")]
    for fragment in expected:
        assert fragment in r.stdout, f"{case}: {fragment!r} not in:\n{r.stdout}"
    assert (work / "diagnosis.txt").read_text() == r.stdout


def test_fixtures_cover_the_required_failure_modes():
    assert {"image-pull", "crashloop-envcheck", "pending-insufficient-cpu", "readiness-failing",
            "missing-secret-key", "healthy"} <= set(CASES)


def test_healthy_state_reports_no_problem_and_broken_ones_are_numbered(tmp_path):
    assert "No problem found" in _diagnose("healthy", tmp_path)[0].stdout
    out = _diagnose("image-pull", tmp_path)[0].stdout
    assert out.splitlines()[1].startswith("1. ")


def test_unreadable_json_is_an_input_error(tmp_path):
    (tmp_path / "pods.json").write_text("{not json")
    r = subprocess.run([str(DIAGNOSE), str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 2 and "not JSON" in r.stderr


def test_doctor_ai_is_skipped_with_a_note_without_kubectl_ai(tmp_path):
    shutil.copytree(FIXTURES / "image-pull", tmp_path / "d")
    subprocess.run([str(DIAGNOSE), str(tmp_path / "d")], check=True, capture_output=True)
    r = subprocess.run([str(ROOT / "mk/scripts/doctor-ai.sh"), str(tmp_path / "d")], capture_output=True,
                       text=True, env={"PATH": "/usr/bin:/bin"})
    assert r.returncode == 0 and "kubectl-ai is not installed" in r.stdout


def test_doctor_ai_gets_the_diagnosis_when_installed(tmp_path):
    shutil.copytree(FIXTURES / "image-pull", tmp_path / "d")
    subprocess.run([str(DIAGNOSE), str(tmp_path / "d")], check=True, capture_output=True)
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "kubectl-ai").write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$(dirname "$0")/args"\n')
    (shim / "kubectl-ai").chmod(0o755)
    r = subprocess.run([str(ROOT / "mk/scripts/doctor-ai.sh"), str(tmp_path / "d")], capture_output=True,
                       text=True, env={"PATH": f"{shim}:/usr/bin:/bin"})
    assert r.returncode == 0, r.stderr
    args = (shim / "args").read_text()
    assert "--quiet" in args and "cannot pull the image todo-frontend" in args


def test_doctor_ai_1_fails_without_kubectl_ai_and_0_never_asks(tmp_path):
    shutil.copytree(FIXTURES / "image-pull", tmp_path / "d")
    subprocess.run([str(DIAGNOSE), str(tmp_path / "d")], check=True, capture_output=True)
    script = str(ROOT / "mk/scripts/doctor-ai.sh")
    r = subprocess.run([script, str(tmp_path / "d")], capture_output=True, text=True,
                       env={"PATH": "/usr/bin:/bin", "AI": "1"})
    assert r.returncode == 1 and "AI=1 asks kubectl-ai, which is not on PATH" in r.stderr
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "kubectl-ai").write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$(dirname "$0")/args"\n')
    (shim / "kubectl-ai").chmod(0o755)
    r = subprocess.run([script, str(tmp_path / "d")], capture_output=True, text=True,
                       env={"PATH": f"{shim}:/usr/bin:/bin", "AI": "0"})
    assert r.returncode == 0 and r.stdout == "" and not (shim / "args").exists()
    r = subprocess.run([script, str(tmp_path / "d")], capture_output=True, text=True,
                       env={"PATH": f"{shim}:/usr/bin:/bin", "AI": "1",
                            "KUBECTL_AI_ARGS": "--llm-provider=openai --model=gpt-4.1"})
    assert r.returncode == 0, r.stderr
    args = (shim / "args").read_text().splitlines()
    assert args[:3] == ["--quiet", "--llm-provider=openai", "--model=gpt-4.1"]
    assert args[3].startswith("The Todo Chatbot deployment in namespace todo") and args[-1] == "Do not change anything in the cluster."
    assert subprocess.run([script, str(tmp_path / "d")], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "AI": "yes"}).returncode == 2
