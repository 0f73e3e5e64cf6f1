"""Helpers for bench/backend/run.sh (standard library only).

summarize.py --line < json-line                  a one-line human summary of a probe result
summarize.py --half-rate SIDE SCENARIO < jsonl   half the req/s of SIDE's last SCENARIO run (open-model rate)
summarize.py --report < jsonl                    old and new side by side (medians over the runs), with the goals
"""

from __future__ import annotations

import json
import statistics
import sys
from typing import Any

PER_CORE_RATIO_GOAL = 0.8  # new throughput per core >= 0.8 x old
OPEN_P99_GOAL_MS = 25.0


def errors_of(result: dict[str, Any]) -> int:
    """Transport errors plus responses that are not 2xx."""
    bad = sum(n for code, n in result.get("status", {}).items() if not code.startswith("2"))
    return int(result.get("errors_total", 0)) + bad


def cpu_ms(row: dict[str, Any]) -> float:
    """The server's CPU milliseconds per request in a measurement."""
    n = row["result"]["requests"]
    return 1000 * row["app_cpu_s"] / n if n else float("nan")


def line(row: dict[str, Any]) -> str:
    result = row.get("result")
    if not result:
        return "no result (the load tool failed)"
    lat = result["latency_ms"]
    model = f"open, {result['rate']:.0f} req/s offered" if result.get("model") == "open" else "closed"
    return (
        f"{result['req_per_s']:.1f} req/s ({result['req_per_s'] / row['cpu_limit']:.0f} per core), p50 "
        f"{lat['p50']:.1f} ms, p99 {lat['p99']:.1f} ms, {errors_of(result)} errors ({model}); "
        f"server CPU {cpu_ms(row):.2f} ms per request"
    )


def _runs(rows: list[dict[str, Any]], side: str, scenario: str) -> list[dict[str, Any]]:
    return [r for r in rows if r.get("side") == side and r.get("scenario") == scenario and r.get("result")]


def half_rate(rows: list[dict[str, Any]], side: str, scenario: str) -> int:
    runs = _runs(rows, side, scenario)
    if not runs:
        raise SystemExit(f"summarize: no {side} {scenario} result to take a rate from")
    return max(1, round(runs[-1]["result"]["req_per_s"] / 2))


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def report(rows: list[dict[str, Any]]) -> list[str]:
    def med(side: str, scenario: str, pick: Any) -> float:
        return _median([pick(r) for r in _runs(rows, side, scenario)])

    def verdict(ok: bool) -> str:
        return "MET" if ok else "NOT MET"

    out = ["", "== old vs new (medians over the runs; req/s per core = req/s / CPU limit)"]
    out.append(f"{'measure':44} {'old':>10} {'new':>10}  new/old")
    for what in ("list", "create"):
        per_core = {
            s: med(s, f"{what}-max", lambda r: r["result"]["req_per_s"] / r["cpu_limit"]) for s in ("old", "new")
        }
        rps = {s: med(s, f"{what}-max", lambda r: r["result"]["req_per_s"]) for s in ("old", "new")}
        cpu = {s: med(s, f"{what}-max", cpu_ms) for s in ("old", "new")}
        p99 = {s: med(s, f"{what}-open", lambda r: r["result"]["latency_ms"]["p99"]) for s in ("old", "new")}
        rate = {s: med(s, f"{what}-open", lambda r: r["result"]["rate"]) for s in ("old", "new")}
        ratio = per_core["new"] / per_core["old"] if per_core["old"] else float("nan")
        out.append(
            f"{what + ': max req/s (closed)':44} {rps['old']:10.0f} {rps['new']:10.0f}  {rps['new'] / rps['old']:.2f}"
        )
        out.append(f"{what + ': req/s per core':44} {per_core['old']:10.0f} {per_core['new']:10.0f}  {ratio:.2f}")
        out.append(f"{what + ': server CPU ms per request':44} {cpu['old']:10.2f} {cpu['new']:10.2f}")
        out.append(
            f"{what + ': open model p99 ms (at 50 % of max)':44} {p99['old']:10.1f} {p99['new']:10.1f}"
            f"  (offered {rate['old']:.0f} / {rate['new']:.0f} req/s)"
        )
        out.append(
            f"  goals, {what}: per core new >= {PER_CORE_RATIO_GOAL} x old: {verdict(ratio >= PER_CORE_RATIO_GOAL)};"
            f" open p99 < {OPEN_P99_GOAL_MS:.0f} ms: {verdict(p99['new'] < OPEN_P99_GOAL_MS)}"
        )
    errors = {
        s: sum(errors_of(r["result"]) for r in rows if r.get("side") == s and r.get("result")) for s in ("old", "new")
    }
    fivexx = {
        s: sum(r["status_5xx"] for r in rows if r.get("side") == s and r.get("kind") == "server")
        for s in ("old", "new")
    }
    out.append(
        f"errors (transport or non-2xx): old {errors['old']}, new {errors['new']};"
        f" 5xx in the server logs: old {fivexx['old']}, new {fivexx['new']}"
    )
    return out


def main(argv: list[str]) -> int:
    if argv[:1] == ["--line"]:
        print(line(json.loads(sys.stdin.read())))
    elif argv[:1] == ["--half-rate"] and len(argv) == 3:
        print(half_rate([json.loads(x) for x in sys.stdin if x.strip()], argv[1], argv[2]))
    elif argv[:1] == ["--report"]:
        print("\n".join(report([json.loads(x) for x in sys.stdin if x.strip()])))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
