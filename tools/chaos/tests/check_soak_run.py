"""Checks the report a real soak wrote (make soak-test sets SOAK_REPORT_DIR to the native run it
just made and names this file, which pytest does not collect by itself): every sample taken,
every component measured, the traffic mix delivered at its rate, every write read back, and the
figures agree with the raw timeline."""

from __future__ import annotations

import csv
import itertools
import json
import os
from pathlib import Path
from typing import Any

import pytest

from chaos.soak import MIX
from chaos.util import percentile

REPORT_DIR = os.environ.get("SOAK_REPORT_DIR", "")
NATIVE_COMPONENTS = {"backend-1", "backend-2", "frontend-1", "frontend-2", "postgresql", "haproxy"}


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    assert REPORT_DIR, "SOAK_REPORT_DIR must name the run to check (make soak-test sets it)"
    return json.loads(Path(REPORT_DIR, "report.json").read_text())


@pytest.fixture(scope="module")
def timeline() -> list[dict[str, str]]:
    with Path(REPORT_DIR, "timeline.csv").open(newline="") as f:
        return list(csv.DictReader(f))


def test_every_verdict_passed(report: dict[str, Any]) -> None:
    failed = [f"{c['name']}: {c['detail']}" for c in report["verdicts"] if not c["ok"]]
    assert report["passed"] and not failed, failed


def test_a_sample_every_interval_with_every_component(report: dict[str, Any]) -> None:
    cfg = report["config"]
    samples = report["samples"]
    assert len(samples) >= cfg["duration_s"] // cfg["sample_s"]
    gaps = [b["t"] - a["t"] for a, b in itertools.pairwise(samples)]
    assert max(gaps) <= 1.5 * cfg["sample_s"], gaps
    for s in samples:
        assert "missing" not in s, s
        assert set(s["memory"]) == NATIVE_COMPONENTS
        assert all(v > 0 for v in s["memory"].values())
        assert s["memory_total"] == pytest.approx(sum(s["memory"].values()))
        assert s["pg_connections"] >= 1
    assert all(set(s["cpu"]) == NATIVE_COMPONENTS for s in samples[1:])
    assert any(s["cpu"]["backend-1"] > 0 for s in samples[1:]), "the backends did some work"


def test_the_mix_was_delivered_at_its_rate(report: dict[str, Any]) -> None:
    req, cfg = report["requests"], report["config"]
    assert set(MIX) <= set(req["by_kind"]), req["by_kind"].keys()
    assert "signin" in req["by_kind"] and "signout" in req["by_kind"], "sessions ended and began again"
    assert 0.7 * cfg["actions_per_s"] <= req["per_s"] <= 1.5 * cfg["actions_per_s"]
    assert report["setup"]["signups"] == cfg["users"] and report["setup"]["failed"] == 0


def test_every_acknowledged_write_was_read_back(report: dict[str, Any]) -> None:
    a = report["audit"]
    assert a["acknowledged"] > 0 and a["read_back"] > 0
    assert (a["lost"], a["wrong_state"], a["resurrected"], a["duplicates"]) == (0, 0, 0, 0)


def test_figures_agree_with_the_timeline(report: dict[str, Any], timeline: list[dict[str, str]]) -> None:
    req = report["requests"]
    assert len(timeline) == req["total"]
    assert sum(1 for r in timeline if r["outcome"] != "ok") == req["errors"]
    assert sum(s["requests"] for s in report["samples"]) <= req["total"]
    lat = [float(r["latency_ms"]) for r in timeline]
    assert percentile(lat, 0.99) == pytest.approx(req["p99_ms"], abs=0.01)
    w = report["windows"]
    assert w["first"]["requests"] > 0 and w["last"]["requests"] > 0
    assert w["first"]["t1"] == pytest.approx(report["config"]["window_s"])


def test_the_page_has_every_plot_and_verdict(report: dict[str, Any]) -> None:
    page = Path(REPORT_DIR, "report.html").read_text()
    assert page.count("<svg") == 6
    for c in report["verdicts"]:
        assert c["name"].split(" (")[0].replace("<", "&lt;") in page
