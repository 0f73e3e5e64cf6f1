"""The measuring and verdict code shared by `make chaos-test` and `make chaos-native`,
on synthetic timelines (no server needed)."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest

from chaos import config, report, scenarios, traffic, util


def rec(t: float, outcome: str, target: str = "api", latency: float = 5.0) -> dict[str, Any]:
    status = {"ok": 200, "503": 503, "timeout": 0, "conn_error": 0}.get(outcome, 500)
    return {
        "t": t,
        "scheduled": t,
        "target": target,
        "method": "GET",
        "status": status,
        "outcome": outcome,
        "latency_ms": latency,
        "error": "" if status else outcome,
    }


@pytest.mark.parametrize(("text", "seconds"), [("250ms", 0.25), ("2s", 2), ("1m30s", 90), ("10", 10), ("1.5s", 1.5)])
def test_durations_parse_like_probe(text: str, seconds: float) -> None:
    assert util.parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("bad", ["", "ten", "5x", "1s junk"])
def test_bad_durations_are_rejected(bad: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        util.parse_duration(bad)


def test_availability_counts_every_outcome() -> None:
    av = traffic.availability([rec(0, "ok"), rec(0.1, "ok"), rec(0.2, "503"), rec(0.3, "timeout")])
    assert av["requests"] == 4 and av["ok"] == 2 and av["failed"] == 2
    assert av["availability_pct"] == 50.0
    assert av["outcomes"] == {"ok": 2, "503": 1, "timeout": 1}


def test_availability_of_nothing_is_unknown_not_perfect() -> None:
    assert traffic.availability([])["availability_pct"] is None


def test_served_again_is_the_first_of_three_consecutive_successes() -> None:
    chaos = scenarios.Chaos.__new__(scenarios.Chaos)
    chaos.tl = traffic.Timeline()
    for r in [rec(1.0, "503"), rec(1.1, "ok"), rec(1.2, "503"), rec(1.3, "ok"), rec(1.4, "ok"), rec(1.5, "ok")]:
        chaos.tl.records.append(r)
    assert chaos.first_streak(["api"], 0.9) == pytest.approx(1.3)
    assert chaos.first_streak(["api"], 1.45) is None  # only one success after that point


def test_writer_titles_are_unique_per_run() -> None:
    w = traffic.Writer(traffic.Timeline(), "http://127.0.0.1:9", "u", "t", "run-1", 1, 1)
    assert w.acked == {} and w.unacked == [] and w.seq == 0


def test_config_rejects_unknown_scenarios(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAOS_SCENARIOS", "backend-pod-kill,nonsense")
    with pytest.raises(ValueError, match="nonsense"):
        config.Config()


def synthetic_report() -> dict[str, Any]:
    records = [rec(i * 0.1, "ok") for i in range(100)] + [rec(5 + i * 0.1, "503", latency=3) for i in range(20)]
    records += [rec(i * 0.2, "ok", "write") for i in range(50)]
    return {
        "run_id": "test",
        "started_at": "2026-01-01T00:00:00+00:00",
        "duration_s": 12.0,
        "target": {"name": "native", "api_url": "http://127.0.0.1:1"},
        "config": {"rounds": 1},
        "dry_run": False,
        "measured_by": "test",
        "passed": False,
        "scenarios": {
            "backend-pod-kill": {
                "verdict": "pass",
                "criteria": [{"name": "c", "ok": True, "detail": "d"}],
                "figures": {
                    "rounds": [
                        {
                            "round": 1,
                            "victim": "backend-1",
                            "recovery_s": 1.2,
                            "service_failed_requests": 0,
                            "service_down_s": 0,
                        }
                    ],
                    "worst_recovery_s": 1.2,
                    "availability": traffic.availability(records[:100]),
                },
            },
            "frontend-pod-kill": {"verdict": "skipped", "reason": "not built <b>", "criteria": [], "figures": {}},
            "db-outage": {
                "verdict": "fail",
                "criteria": [{"name": "503 <fast>", "ok": False, "detail": "x"}],
                "figures": {
                    "responses_503": 20,
                    "timeouts": 0,
                    "served_again_after_s": 0.5,
                    "latency_503_ms": {"p95": 3},
                },
            },
            "no-lost-writes": {
                "verdict": "pass",
                "criteria": [],
                "figures": {"acknowledged": 50, "lost": 0, "duplicates": 0, "not_acknowledged": 0},
            },
        },
        "overall": traffic.availability(records),
        "acknowledged": 50,
        "lost": 0,
        "events": [
            {"t": 5.0, "scenario": "db-outage", "kind": "fault", "label": "database stopped", "cmd": ""},
            {"t": 7.0, "scenario": "db-outage", "kind": "restore", "label": "database back", "cmd": ""},
        ],
        "windows": [{"scenario": "db-outage", "label": "database down", "t0": 5.0, "t1": 7.0}],
        "spans": [{"scenario": "db-outage", "t0": 4.5, "t1": 9.0}],
        "_records": records,
    }


def test_report_files_are_written_and_self_contained(tmp_path: Path) -> None:
    rep = synthetic_report()
    n = len(rep["_records"])
    report.write_report(str(tmp_path), rep)
    data = json.loads((tmp_path / "report.json").read_text())
    assert data["acknowledged"] == 50 and data["lost"] == 0
    assert "_records" not in data
    rows = list(csv.DictReader((tmp_path / "timeline.csv").open()))
    assert len(rows) == n and set(rows[0]) >= {"t", "target", "status", "outcome", "latency_ms"}
    page = (tmp_path / "report.html").read_text()
    assert "<svg" in page and "</svg>" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", page), "the report must not load anything remotely"
    assert "<script" not in page
    assert "not built &lt;b&gt;" in page and "503 &lt;fast&gt;" in page  # escaped, not markup
    assert "database down" in page  # the shaded window carries its label


def test_summary_names_each_scenario_and_the_failed_criterion() -> None:
    rep = synthetic_report()
    text = report.summary_text(rep, "build/chaos/x")
    for name in ("backend-pod-kill", "frontend-pod-kill", "db-outage", "no-lost-writes"):
        assert name in text
    assert "failed: 503 <fast>" in text
    assert "FAIL" in text.splitlines()[-2]
    assert len(text.splitlines()) <= 25  # one screen


class _Settling:
    """A target whose replicas become ready after a few checks (as after a database outage)."""

    def __init__(self, not_ready_checks: int) -> None:
        self.left = not_ready_checks
        self.checks = 0

    def steady(self) -> bool:
        self.checks += 1
        self.left -= 1
        return self.left < 0


def test_a_scenario_waits_until_every_replica_is_ready(monkeypatch: pytest.MonkeyPatch) -> None:
    from chaos.runner import Runner

    monkeypatch.setenv("RECOVERY_SLO", "5s")
    target = _Settling(not_ready_checks=3)
    c = scenarios.Chaos(config.Config(), target, Runner(dry_run=False))  # type: ignore[arg-type]
    c.wait_steady("rolling-update")
    assert target.checks == 4  # not ready three times, then ready
    assert [e["label"] for e in c.tl.events] == ["every replica ready"]
    assert c.steady_waits["rolling-update"] is not None and c.steady_waits["rolling-update"] > 0


def test_a_steady_stack_is_not_waited_for(monkeypatch: pytest.MonkeyPatch) -> None:
    from chaos.runner import Runner

    target = _Settling(not_ready_checks=0)
    c = scenarios.Chaos(config.Config(), target, Runner(dry_run=False))  # type: ignore[arg-type]
    c.wait_steady("db-outage")
    assert target.checks == 1 and c.tl.events == [] and c.steady_waits == {}
