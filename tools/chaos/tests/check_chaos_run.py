"""Checks the report a real chaos run wrote (make chaos-native sets CHAOS_REPORT_DIR to it and
names this file, which pytest does not collect by itself): the figures the issue asks for are
there and agree with the raw timeline."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

import pytest

from chaos.config import SCENARIOS

REPORT_DIR = os.environ.get("CHAOS_REPORT_DIR", "")


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    assert REPORT_DIR, "CHAOS_REPORT_DIR must name the run to check (make chaos-native sets it)"
    return json.loads(Path(REPORT_DIR, "report.json").read_text())


def test_no_acknowledged_write_was_lost(report: dict[str, Any]) -> None:
    assert report["acknowledged"] > 0
    assert report["lost"] == 0
    assert report["scenarios"]["no-lost-writes"]["figures"]["duplicates"] == 0


def test_every_scenario_ran_and_passed(report: dict[str, Any]) -> None:
    assert report["passed"] is True
    assert set(report["scenarios"]) == set(SCENARIOS), "the native run runs every scenario"
    for name, res in report["scenarios"].items():
        assert res["verdict"] == "pass", f"{name}: {res.get('reason') or res['criteria']}"


def test_frontend_kill_rounds_were_timed(report: dict[str, Any]) -> None:
    rounds = report["scenarios"]["frontend-pod-kill"]["figures"]["rounds"]
    assert len(rounds) == report["config"]["rounds"]
    assert all(r["recovery_s"] is not None for r in rounds)


def test_each_kill_round_has_a_recovery_time(report: dict[str, Any]) -> None:
    rounds = report["scenarios"]["backend-pod-kill"]["figures"]["rounds"]
    assert len(rounds) == report["config"]["rounds"]
    assert all(r["recovery_s"] is not None for r in rounds)


def test_db_outage_answered_503_not_timeouts(report: dict[str, Any]) -> None:
    f = report["scenarios"]["db-outage"]["figures"]
    assert f["responses_503"] > 0 and f["timeouts"] == 0


def test_timeline_has_every_probe_the_figures_count(report: dict[str, Any]) -> None:
    with Path(REPORT_DIR, "timeline.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    user_facing = [r for r in rows if r["target"] in ("api", "write", "frontend")]
    assert len(user_facing) == report["overall"]["requests"]
    ok = sum(1 for r in user_facing if r["outcome"] == "ok")
    assert ok == report["overall"]["ok"]


def test_html_report_has_the_plot_and_the_verdicts(report: dict[str, Any]) -> None:
    page = Path(REPORT_DIR, "report.html").read_text()
    assert "<svg" in page and "Verdicts" in page
    for name in report["scenarios"]:
        assert name in page
