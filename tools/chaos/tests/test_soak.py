"""The soak's knobs, its traffic pieces, its verdicts and its report, without a server."""

from __future__ import annotations

import http.server
import json
import random
import re
import threading
from pathlib import Path
from typing import Any

import pytest

from chaos import resources, soak, soak_report, verdicts
from chaos.targets import Target

MIB = 2**20


@pytest.mark.parametrize(
    ("text", "per_min"), [("30/minute", 30), ("10/15 minutes", 10 / 15), ("120 per hour", 2), ("2/second", 120)]
)
def test_login_limits_read_like_the_backend(text: str, per_min: float) -> None:
    assert soak.per_minute(text) == pytest.approx(per_min)


def test_a_bad_login_limit_names_the_knob() -> None:
    with pytest.raises(ValueError, match="not a rate such as 30/minute"):
        soak.per_minute("thirty")


def test_defaults_are_100_users_one_action_each_every_20_s(monkeypatch: pytest.MonkeyPatch) -> None:
    for k in ("SOAK_DURATION", "SOAK_USERS", "SOAK_RATE", "SOAK_LOGIN_LIMIT"):
        monkeypatch.delenv(k, raising=False)
    cfg = soak.SoakConfig()
    assert (cfg.duration, cfg.users, cfg.rate, cfg.window) == (3600, 100, 5.0, 600)
    assert cfg.auth_pace() == pytest.approx(24)
    cfg.check_pace()  # 100 users signing in every 10 minutes: 10 a minute, within 24


def test_short_runs_scale_the_windows_to_a_sixth(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOAK_DURATION", "2m")
    assert soak.SoakConfig().window == 20


@pytest.mark.parametrize(
    ("knob", "value", "message"),
    [
        ("SOAK_DURATION", "30s", "shorter than 6 samples"),
        ("SOAK_USERS", "0", "give 1 to 10000 users"),
        ("SOAK_MEMORY_LIMIT", "lots", "not a size"),
        ("SOAK_DURATION", "an hour", "SOAK_DURATION='an hour': not a duration"),
        ("SOAK_USERS", "many", "SOAK_USERS='many': invalid literal"),
        ("SOAK_LOGIN_LIMIT", "thirty", "SOAK_LOGIN_LIMIT='thirty': not a rate such as 30/minute"),
        ("SOAK_P99_RATIO", "0.5", "SOAK_P99_RATIO must be at least 1"),
    ],
)
def test_bad_knobs_are_refused_with_their_name(
    monkeypatch: pytest.MonkeyPatch, knob: str, value: str, message: str
) -> None:
    monkeypatch.setenv(knob, value)
    with pytest.raises(ValueError, match=message):
        soak.SoakConfig()


def test_sign_ins_that_would_exceed_the_stacks_limit_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOAK_USERS", "500")
    cfg = soak.SoakConfig()
    with pytest.raises(ValueError, match=r"500 users .* need 50.0 sign-ins a minute, above 80 % .*30/minute"):
        cfg.check_pace()


def test_the_pacer_gives_each_caller_the_next_slot() -> None:
    pacer = soak.Pacer(per_minute=600)  # one every 0.1 s
    assert [pacer.reserve(10.0) for _ in range(3)] == pytest.approx([10.0, 10.1, 10.2])
    assert pacer.reserve(50.0) == 50.0  # a caller after a quiet spell goes at once, no burst owed


def test_a_stopped_pacer_does_not_wait_out_the_slot() -> None:
    pacer = soak.Pacer(per_minute=1)  # one a minute
    stop = threading.Event()
    assert pacer.wait(stop)
    stop.set()
    assert pacer.wait(stop) is False


def test_the_browser_keeps_and_drops_cookies_as_told() -> None:
    u = soak.User(0, "a@example.com", "pw")
    u.keep_cookies(["todo_token=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=3600", "todo_user=eyJ; Path=/"])
    assert u.cookie_header() == {"Cookie": "todo_token=abc; todo_user=eyJ"}
    u.keep_cookies(["todo_token=; Path=/; HttpOnly; Max-Age=0", "todo_user=; Path=/; Max-Age=0"])
    assert u.cookie_header() == {}


def test_users_keep_about_a_cap_of_tasks() -> None:
    s = soak.Soak.__new__(soak.Soak)
    s.rng = random.Random(1)  # noqa: S311 - traffic, not secrets
    full = soak.User(0, "a", "b", live=[f"t{i}" for i in range(soak.TASKS_CAP)])
    empty = soak.User(1, "a", "b")
    assert "create" not in {s.choose(full) for _ in range(300)}
    assert not {"toggle", "update", "delete"} & {s.choose(empty) for _ in range(300)}


def climb(mib_per_hour: float, noise: float = 0.0, n: int = 60, every: float = 60) -> list[tuple[float, float]]:
    return [
        (i * every, 500 * MIB + mib_per_hour * MIB * i * every / 3600 + (noise * MIB if i % 2 else 0)) for i in range(n)
    ]


def test_a_steady_climb_is_a_trend_and_a_flat_line_is_not() -> None:
    leak = verdicts.memory_trend(climb(64), 32 * MIB)
    assert leak["growing"] is True and leak["slope_per_hour"] == pytest.approx(64 * MIB)
    flat = verdicts.memory_trend(climb(0, noise=2), 32 * MIB)
    assert flat["growing"] is False


def test_only_the_second_half_counts() -> None:
    warm = [(t, v + (300 * MIB if t < 1800 else 0) * (1 - t / 1800)) for t, v in climb(0)]
    assert verdicts.memory_trend(warm, 32 * MIB)["growing"] is False
    assert verdicts.memory_trend(warm, 32 * MIB)["from_s"] >= 1770


def test_two_points_are_not_a_trend() -> None:
    assert verdicts.memory_trend(climb(64, n=3), 32 * MIB)["growing"] is None


def soak_criteria(**over: Any) -> dict[str, bool]:
    args: dict[str, Any] = {
        "errors": 0,
        "requests": 100,
        "audit": {"acknowledged": 10, "lost": 0, "duplicates": 0, "wrong_state": 0, "resurrected": 0},
        "trends": {"backend": verdicts.memory_trend(climb(0), 32 * MIB)},
        "growth_limit": 32 * MIB,
        "p99_first": 100.0,
        "p99_last": 140.0,
        "p99_ratio": 1.5,
        "peaks": {"stack": 1e9, "cluster": 3e9},
        "memory_limit": 4e9,
    }
    args.update(over)
    return {c["name"]: c["ok"] for c in verdicts.soak(**args)}


def test_every_soak_verdict_passes_on_a_clean_run() -> None:
    assert all(soak_criteria().values())


@pytest.mark.parametrize(
    ("over", "failing"),
    [
        ({"errors": 1}, "zero errors"),
        ({"requests": 0}, "zero errors"),
        ({"audit": None}, "zero acknowledged writes missing"),
        ({"p99_last": 151.0}, "p99 of the last window within 1.5x of the first"),
        ({"p99_first": None}, "p99 of the last window within 1.5x of the first"),
        ({"peaks": {"stack": 1e9, "cluster": 4.1e9}}, "cluster memory under 4 GB"),
        ({"peaks": {"stack": None}}, "stack memory under 4 GB"),
        ({"trends": {"frontend": verdicts.memory_trend(climb(100), 32 * MIB)}}, "no memory growth trend"),
    ],
)
def test_each_soak_verdict_can_fail(over: dict[str, Any], failing: str) -> None:
    got = soak_criteria(**over)
    bad = [name for name, ok in got.items() if not ok]
    assert len(bad) == 1 and bad[0].startswith(failing), bad


def synthetic_report() -> dict[str, Any]:
    samples: list[dict[str, Any]] = [
        {
            "t": float(t),
            "requests": 50,
            "errors": 0,
            "rps": 5.0,
            "p50_ms": 20.0,
            "p99_ms": 90.0,
            "pg_connections": 6,
            "memory": {"backend <1>": 100 * MIB, "postgresql": 40 * MIB},
            "cpu": {"backend <1>": 0.2, "postgresql": 0.05},
            "memory_total": 140 * MIB,
            "cluster_memory": None,
        }
        for t in range(0, 130, 10)
    ]
    trends = {"backend <1>": verdicts.memory_trend([(s["t"], 100 * MIB) for s in samples], 32 * MIB)}
    records = [
        {
            "t": 1.0,
            "scheduled": 1.0,
            "target": "list",
            "method": "GET",
            "status": 200,
            "outcome": "ok",
            "latency_ms": 9.0,
            "error": "",
        }
    ]
    return {
        "kind": "soak",
        "run_id": "r1",
        "started_at": "2026-01-01T00:00:00+00:00",
        "duration_s": 120.0,
        "setup_s": 12.0,
        "setup": {"signups": 100, "failed": 0, "p50_ms": 100.0},
        "target": {"name": "native", "frontend_url": "http://127.0.0.1:1"},
        "config": soak.SoakConfig().as_dict() | {"duration_s": 120.0, "window_s": 20.0},
        "measured_by": "test",
        "host": {"cpus": 2, "loadavg_1m_start": 1.0, "loadavg_1m_end": 1.0},
        "passed": False,
        "verdicts": [{"name": "zero errors <b>", "ok": False, "detail": "1 of 2"}],
        "requests": {
            "total": 600,
            "errors": 0,
            "per_s": 5.0,
            "p50_ms": 20.0,
            "p99_ms": 90.0,
            "by_kind": {"list": {"requests": 600, "errors": 0, "p50_ms": 20.0, "p99_ms": 90.0}},
            "actions_not_started": 0,
            "first_errors": [],
        },
        "windows": {"first": {"t0": 0, "t1": 20, "p99_ms": 90.0}, "last": {"t0": 100, "t1": 120, "p99_ms": 95.0}},
        "memory": {"trends": trends, "peaks": {"stack": 140 * MIB}},
        "pg_connections": {"min": 6, "max": 6},
        "audit": {"acknowledged": 5, "lost": 0, "wrong_state": 0, "resurrected": 0, "duplicates": 0, "uncertain": 0},
        "acknowledged": 5,
        "lost": 0,
        "samples": samples,
        "_records": records,
    }


def test_the_soak_report_is_self_contained_and_escaped(tmp_path: Path) -> None:
    rep = synthetic_report()
    soak_report.write_report(str(tmp_path), rep)
    data = json.loads((tmp_path / "report.json").read_text())
    assert "_records" not in data and data["lost"] == 0
    assert (tmp_path / "timeline.csv").read_text().count("\n") == 2
    assert (tmp_path / "samples.csv").read_text().splitlines()[0].startswith("t,requests,errors,rps,p50_ms,p99_ms")
    page = (tmp_path / "report.html").read_text()
    assert page.count("<svg") == 6  # memory, stack total, CPU, rate, latency, connections
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", page) and "<script" not in page
    assert "zero errors &lt;b&gt;" in page and "backend &lt;1&gt;" in page


def test_the_soak_summary_fits_a_screen_and_names_every_verdict() -> None:
    rep = synthetic_report()
    text = soak_report.summary_text(rep, "build/soak/x")
    assert "FAIL  zero errors <b>: 1 of 2" in text and text.splitlines()[-2].startswith("FAIL")
    assert len(text.splitlines()) <= 25


class Throttled(http.server.BaseHTTPRequestHandler):
    """A frontend whose sign-up answers 429, as a stack with a lower LOGIN_RATE_PER_CLIENT would."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = b'{"detail": "Too many sign-in attempts"}'
        self.send_response(429)
        self.send_header("Retry-After", "30")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_a_throttled_sign_up_stops_the_soak_and_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Throttled)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("SOAK_DURATION", "1m")
        target = Target()
        target.frontend_url = f"http://127.0.0.1:{server.server_address[1]}"
        s = soak.Soak(soak.SoakConfig(), target, resources.Sampler(), "r1")
        with pytest.raises(
            RuntimeError, match=r"sign-up of soak user 0 failed: 429 .*below the 30/minute SOAK_LOGIN_LIMIT"
        ):
            s.sign_up(soak.User(0, "a@example.com", "pw"))
    finally:
        server.shutdown()


@pytest.mark.parametrize(
    ("duration", "labels"),
    [
        (3600, ["0m", "10m", "20m", "30m", "40m", "50m", "60m"]),
        (120, ["0s", "20s", "40s", "60s", "80s", "100s", "120s"]),
    ],
)
def test_time_axis_ticks_are_round_in_the_unit_shown(duration: float, labels: list[str]) -> None:
    """An hour is labelled every 10 minutes, not every 500 s (8.33333m)."""
    from chaos import render

    svg = render.line_chart("memory", [render.Series("a", [(0.0, 1.0), (duration, 2.0)])], duration)
    shown = re.findall(r'text-anchor="middle" fill="#556">([^<]+)</text>', svg)
    assert shown == labels
