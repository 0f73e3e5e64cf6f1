"""The GitHub Actions workflow (.github/workflows/ci.yml) for users' forks: what its jobs run, and
that actionlint (pinned, with shellcheck) checks it, as `make lint` does. It is linted, not run."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import yaml
from makerun import ROOT

ACTIONLINT = os.environ["ACTIONLINT"]  # make charts-test builds it and names it
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"


def actionlint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ACTIONLINT, "-no-color", "-shellcheck=shellcheck", "-pyflakes=", str(path)],
                          cwd=ROOT, capture_output=True, text=True)


def _runs(job: dict) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def test_the_test_job_runs_what_ci_runs():
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    assert any("bash .ci/run" in run for run in _runs(jobs["test"]))
    assert (ROOT / ".ci" / "run").read_text().rstrip().endswith("make test")


def test_the_kind_job_installs_the_chart_breaks_it_then_makes_sboms_and_scans():
    runs = "\n".join(_runs(yaml.safe_load(WORKFLOW.read_text())["jobs"]["kind"]))
    order = ["make build", "make cluster-up CLUSTER=kind", "make images-load CLUSTER=kind",
             "make helm-install ENV=dev", "make chaos-test CHAOS_TARGET=helm", "make sbom", "make scan"]
    positions = [runs.index(cmd) for cmd in order]
    assert positions == sorted(positions), runs


def test_actionlint_finds_nothing_in_the_workflow():
    r = actionlint(WORKFLOW)
    assert r.returncode == 0, r.stdout + r.stderr


def test_actionlint_with_shellcheck_catches_a_bad_workflow():
    r = actionlint(Path(__file__).resolve().parent / "fixtures" / "workflows" / "bad.yml")
    assert r.returncode == 1
    assert "SC2086" in r.stdout and "potentially untrusted" in r.stdout and "fetch-depht" in r.stdout
