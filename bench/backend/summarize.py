"""Helpers for bench/backend/run.sh (standard library only).

summarize.py --wrk < wrk-output           wrk's text as one JSON object with probe's field names
summarize.py --line < json-line           a one-line human summary of a probe/wrk result
summarize.py --report CONNS RATE < jsonl  medians over the runs and the issue's targets, met or not
"""

from __future__ import annotations

import json
import re
import statistics
import sys
from typing import Any

P99_TARGET_MS = 100.0
LIST_RPS_TARGET = 500.0
STARTUP_TARGET_S = 3.0

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not m:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def parse_wrk(text: str) -> dict[str, Any]:
    """wrk --latency output -> the fields probe's JSON has (req/s, p50, p99, errors)."""
    lat = {q: _ms(v) for q, v in re.findall(r"^\s+(50|99)%\s+(\S+)", text, re.MULTILINE)}
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", text).group(1))  # type: ignore[union-attr]
    non2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", text)) else 0
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    sock_errors = sum(int(x) for x in sock.groups()) if sock else 0
    return {
        "model": "closed",
        "requests": requests,
        "req_per_s": rps,
        "latency_ms": {"p50": lat.get("50"), "p99": lat.get("99")},
        "errors": non2xx + sock_errors,
    }


def errors_of(result: dict[str, Any]) -> int:
    """Transport errors plus responses that are not 2xx."""
    if isinstance(result.get("errors"), int):
        return int(result["errors"])
    bad = sum(n for code, n in result.get("status", {}).items() if not code.startswith("2"))
    return int(result.get("errors_total", 0)) + bad


def cpu_ms(row: dict[str, Any], key: str) -> float:
    """CPU milliseconds per request of the server (app_cpu_s) or PostgreSQL (pg_cpu_s) in a run."""
    n = row["result"]["requests"]
    return 1000 * row.get(key, float("nan")) / n if n else float("nan")


def line(row: dict[str, Any]) -> str:
    result = row.get("result")
    if not result:
        return "no result (the load tool failed)"
    lat = result["latency_ms"]
    model = "open, " + f"{result['rate']:.0f} req/s offered" if result.get("model") == "open" else "closed"
    return (
        f"{result['req_per_s']:.1f} req/s, p50 {lat['p50']:.1f} ms, p99 {lat['p99']:.1f} ms, "
        f"{errors_of(result)} errors ({model}); CPU per request: app {cpu_ms(row, 'app_cpu_s'):.2f} ms, "
        f"PostgreSQL {cpu_ms(row, 'pg_cpu_s'):.2f} ms, load generator {cpu_ms(row, 'gen_cpu_s'):.2f} ms"
        f" ({generator_share(row):.0%} of one core)"
    )


def generator_share(row: dict[str, Any]) -> float:
    """How busy the load generator was: its CPU seconds over the run's length (1.0 = one full core)."""
    result = row["result"]
    seconds = result.get("duration_s") or (result["requests"] / result["req_per_s"] if result["req_per_s"] else 0)
    return row.get("gen_cpu_s", float("nan")) / seconds if seconds else float("nan")


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def report(rows: list[dict[str, Any]], conns: int, rate: float) -> list[str]:
    by: dict[tuple[str, str], list[dict[str, Any]]] = {}
    startup: list[float] = []
    server: dict[str, Any] = {}
    for row in rows:
        if row["kind"] == "startup":
            startup.append(row["seconds"])
        elif row["kind"] == "server":
            server = row
        elif row.get("result"):
            by.setdefault((row["kind"], row["scenario"]), []).append(row)

    def med(tool: str, scenario: str) -> dict[str, float] | None:
        rows = by.get((tool, scenario))
        if not rows:
            return None
        results = [r["result"] for r in rows]
        return {
            "n": len(results),
            "app_cpu": _median([cpu_ms(r, "app_cpu_s") for r in rows]),
            "rps": _median([r["req_per_s"] for r in results]),
            "p50": _median([r["latency_ms"]["p50"] for r in results]),
            "p99": _median([r["latency_ms"]["p99"] for r in results]),
            "errors": sum(errors_of(r) for r in results),
        }

    def verdict(ok: bool) -> str:
        return "MET" if ok else "NOT MET"

    out = ["", "== targets (issue 5; medians over the runs, errors summed)"]
    for tool in ("probe", "wrk"):
        for scenario, what in (("list-closed", "list"), ("create-closed", "create")):
            m = med(tool, scenario)
            if not m:
                continue
            checks = [f"0 errors: {verdict(m['errors'] == 0)}", f"p99<=100ms: {verdict(m['p99'] <= P99_TARGET_MS)}"]
            if what == "list":
                checks.append(f">=500 req/s: {verdict(m['rps'] >= LIST_RPS_TARGET)}")
            out.append(
                f"(a) closed, {conns} clients, {what:6} [{tool}, {m['n']:.0f} run(s)]: {m['rps']:.0f} req/s, "
                f"p50 {m['p50']:.1f} ms, p99 {m['p99']:.1f} ms, {m['errors']:.0f} errors, "
                f"app CPU {m['app_cpu']:.2f} ms/req -> " + "; ".join(checks)
            )
    m = med("probe", "list-open")
    if m:
        out.append(
            f"(b) open, {rate:.0f} req/s offered, {conns} connections, list [probe, {m['n']:.0f} run(s)]: "
            f"{m['rps']:.0f} req/s served, p50 {m['p50']:.1f} ms, p99 {m['p99']:.1f} ms, {m['errors']:.0f} errors"
            f" -> 0 errors: {verdict(m['errors'] == 0)}; p99<=100ms: {verdict(m['p99'] <= P99_TARGET_MS)};"
            f" served>=99% of offered: {verdict(m['rps'] >= rate * 0.99)}"
        )
    if startup:
        s = _median(startup)
        out.append(f"startup to /ready 200: {s:.2f} s -> <=3 s: {verdict(s <= STARTUP_TARGET_S)}")
    if server:
        out.append(
            f"server: {server['request_log_lines']} JSON request log lines, {server['status_5xx']} with status 5xx"
        )
    p = med("probe", "list-closed")
    if p:
        out.append(
            f"note: closed model, Little's law: {conns} clients / {p['rps']:.0f} req/s = "
            f"{1000 * conns / p['rps']:.0f} ms mean latency; p99 <= 100 ms there needs well over "
            f"{1000 * conns / P99_TARGET_MS:.0f} req/s"
        )
    return out


def main(argv: list[str]) -> int:
    if argv[:1] == ["--wrk"]:
        print(json.dumps(parse_wrk(sys.stdin.read())))
    elif argv[:1] == ["--line"]:
        print(line(json.loads(sys.stdin.read())))
    elif argv[:1] == ["--report"]:
        rows = [json.loads(x) for x in sys.stdin if x.strip()]
        print("\n".join(report(rows, int(argv[1]), float(argv[2]))))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
