"""The soak's report: report.json (every figure and sample), samples.csv (one row per sample),
timeline.csv (every request), report.html (the verdicts and time-series plots, inline SVG, no
JavaScript, no CDN), and the one-screen summary printed on stdout."""

from __future__ import annotations

import csv
import json
import os
from typing import Any

from chaos.render import CSS, Series, esc, fig, line_chart
from chaos.report import CSV_FIELDS

MIB = 2**20
TOTAL = "stack total"  # the sum of the components, reported beside them


def write_report(out_dir: str, rep: dict[str, Any]) -> None:
    records = rep.pop("_records", [])
    with open(os.path.join(out_dir, "timeline.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=CSV_FIELDS)
        w.writeheader()
        for r in sorted(records, key=lambda r: r["t"]):
            w.writerow({k: r.get(k, "") for k in CSV_FIELDS})
    samples = rep.get("samples", [])
    names = sorted({n for s in samples for n in s.get("memory", {})})
    head = ["t", "requests", "errors", "rps", "p50_ms", "p99_ms", "pg_connections", "memory_total", "cluster_memory"]
    head += [f"memory:{n}" for n in names] + [f"cpu:{n}" for n in names] + ["missing"]
    with open(os.path.join(out_dir, "samples.csv"), "w", newline="") as f:
        rows = csv.writer(f)
        rows.writerow(head)
        for s in samples:
            row = [s.get(k, "") for k in head[:9]]
            row += [s.get("memory", {}).get(n, "") for n in names] + [s.get("cpu", {}).get(n, "") for n in names]
            rows.writerow([*row, s.get("missing", "")])
    with open(os.path.join(out_dir, "report.json"), "w") as f:
        json.dump(rep, f, indent=2)
        f.write("\n")
    with open(os.path.join(out_dir, "report.html"), "w") as f:
        f.write(render_html(rep))


def mib(n: float | None) -> str:
    return "-" if n is None else f"{n / MIB:.0f} MiB"


def ms(n: float | None) -> str:
    return "-" if n is None else f"{n:.0f} ms"


def summary_text(rep: dict[str, Any], out_dir: str) -> str:
    cfg, req, win = rep["config"], rep["requests"], rep["windows"]
    lines = [
        f"soak report: target {rep['target']['name']}, {rep['duration_s']:.0f} s measured, {cfg['users']} users, "
        f"{cfg['actions_per_s']:g} actions/s (sign-ups before it: {rep['setup_s']:.0f} s)",
        "-" * 72,
        f"requests   {req['total']} ({req['per_s']}/s), {req['errors']} errors; p50 {ms(req['p50_ms'])}, "
        f"p99 {ms(req['p99_ms'])} (first {win['first']['t1']:.0f} s: {ms(win['first']['p99_ms'])}, "
        f"last: {ms(win['last']['p99_ms'])})",
    ]
    peaks = rep["memory"]["peaks"]
    trends = rep["memory"]["trends"]
    steep = max(
        ((n, t["slope_per_hour"]) for n, t in trends.items() if t.get("slope_per_hour") is not None and n != TOTAL),
        key=lambda x: x[1],
        default=None,
    )
    lines.append(
        f"memory     stack peak {mib(peaks.get('stack'))}"
        + (f", cluster peak {mib(peaks.get('cluster'))}" if "cluster" in peaks else "")
        + (f"; steepest trend {steep[0]} {steep[1] / MIB:+.1f} MiB/h" if steep else "")
    )
    pg = rep["pg_connections"]
    lines.append(f"postgres   {pg['min']} to {pg['max']} open connections")
    a = rep.get("audit")
    lines.append(
        "writes     "
        + (
            f"{a['acknowledged']} acknowledged, {a['lost']} lost, {a['wrong_state']} in another state, "
            f"{a['resurrected']} deleted but there, {a['duplicates']} duplicates ({a['uncertain']} unanswered changes)"
            if a
            else "the task lists could not be read back"
        )
    )
    for c in rep["verdicts"]:
        lines.append(f"  {'PASS' if c['ok'] else 'FAIL'}  {c['name']}: {c['detail']}")
    lines.append("")
    lines.append("PASS: every verdict passed" if rep["passed"] else "FAIL: at least one verdict failed")
    lines.append(f"report: {os.path.join(out_dir, 'report.html')} (figures: report.json, samples.csv, timeline.csv)")
    return "\n".join(lines)


def trend_row(name: str, t: dict[str, Any]) -> str:
    slope, se, growing = t.get("slope_per_hour"), t.get("stderr_per_hour"), t.get("growing")
    return (
        f"<tr><td>{esc(name)}</td><td>{t.get('points')}</td>"
        f"<td>{'-' if slope is None else f'{slope / MIB:+.1f}'}</td><td>{'-' if se is None else f'{se / MIB:.1f}'}</td>"
        f"<td>{'unknown' if growing is None else 'growing' if growing else 'no'}</td></tr>"
    )


def charts(rep: dict[str, Any]) -> list[str]:
    """The time series: memory per component (with the trend fitted over the second half), the
    stack's total against the limit, CPU, request rate and errors, latency, database connections."""
    samples = [s for s in rep["samples"] if "memory" in s]
    dur = rep["duration_s"] or 1.0
    trends = rep["memory"]["trends"]
    names = sorted({n for s in samples for n in s["memory"]})

    def fit(name: str) -> tuple[float, float, float, float] | None:
        t = trends.get(name, {})
        if t.get("slope_per_hour") is None:
            return None
        return (t["from_s"], t["to_s"], t["intercept"], t["slope_per_hour"] / 3600)

    mem = [Series(n, [(s["t"], s["memory"][n]) for s in samples if n in s["memory"]], fit=fit(n)) for n in names]
    total = [Series(TOTAL, [(s["t"], s["memory_total"]) for s in samples], fit=fit(TOTAL))]
    if "cluster" in rep["memory"]["peaks"]:
        total.append(Series("cluster", [(s["t"], s["cluster_memory"]) for s in samples if s.get("cluster_memory")]))
    limit = rep["config"]["memory_limit_bytes"]
    cpu = [Series(n, [(s["t"], s["cpu"][n]) for s in samples if n in s.get("cpu", {})]) for n in names]
    every = rep["samples"]
    win = rep["windows"]
    shades = [
        (win["first"]["t0"], win["first"]["t1"], "first window"),
        (win["last"]["t0"], win["last"]["t1"], "last window"),
    ]
    return [
        line_chart("memory per component (dashed: trend over the second half)", mem, dur, " MiB", MIB),
        line_chart("memory of the stack", total, dur, " MiB", MIB, limit=(limit, f"limit {limit / 1e9:g} GB")),
        line_chart("CPU per component (cores)", cpu, dur),
        line_chart(
            "requests per second, and errors per sample",
            [
                Series("requests/s", [(s["t"], s["rps"]) for s in every[1:]], "#2e9d55"),
                Series("errors", [(s["t"], s["errors"]) for s in every[1:]], "#d9363e"),
            ],
            dur,
        ),
        line_chart(
            "latency per sample (all requests)",
            [
                Series("p50", [(s["t"], s["p50_ms"]) for s in every[1:] if s["p50_ms"] is not None], "#2a6fdb"),
                Series("p99", [(s["t"], s["p99_ms"]) for s in every[1:] if s["p99_ms"] is not None], "#f0a020"),
            ],
            dur,
            " ms",
            shades=shades,
        ),
        line_chart(
            "open connections to PostgreSQL",
            [Series("connections", [(s["t"], s["pg_connections"]) for s in every if "pg_connections" in s], "#8a4fd8")],
            dur,
        ),
    ]


def render_html(rep: dict[str, Any]) -> str:
    cfg, req, win = rep["config"], rep["requests"], rep["windows"]
    passed = rep["passed"]
    failed = [c["name"] for c in rep["verdicts"] if not c["ok"]]
    banner = (
        '<div class="banner pass">PASS: every verdict passed.</div>'
        if passed
        else f'<div class="banner fail">FAIL: {esc(", ".join(failed))}</div>'
    )
    a = rep.get("audit") or {}
    peaks = rep["memory"]["peaks"]
    figs = [
        fig("measured (after the sign-ups)", f"{rep['duration_s'] / 60:.1f} min"),
        fig("users, actions per second", f"{cfg['users']}, {cfg['actions_per_s']:g}"),
        fig("requests / errors", f"{req['total']} / {req['errors']}"),
        fig("latency p50 / p99", f"{ms(req['p50_ms'])} / {ms(req['p99_ms'])}"),
        fig("p99 first / last window", f"{ms(win['first']['p99_ms'])} / {ms(win['last']['p99_ms'])}"),
        fig("writes acknowledged / lost", f"{a.get('acknowledged', '-')} / {a.get('lost', '-')}"),
        fig("stack memory, peak", mib(peaks.get("stack"))),
    ]
    if "cluster" in peaks:
        figs.append(fig("cluster memory, peak", mib(peaks.get("cluster"))))
    rows = "".join(
        f'<tr><td class="{"ok" if c["ok"] else "no"}">{"&#10003;" if c["ok"] else "&#10007;"} {esc(c["name"])}</td>'
        f"<td>{esc(c['detail'])}</td></tr>"
        for c in rep["verdicts"]
    )
    kinds = "".join(
        f"<tr><td>{esc(k)}</td><td>{v['requests']}</td><td>{v['errors']}</td><td>{ms(v['p50_ms'])}</td>"
        f"<td>{ms(v['p99_ms'])}</td></tr>"
        for k, v in req["by_kind"].items()
    )
    trends = "".join(trend_row(n, t) for n, t in rep["memory"]["trends"].items())
    errs = "".join(
        f"<tr><td>{e['t']:.1f}</td><td>{esc(e['target'])}</td><td>{esc(e['method'])}</td><td>{esc(e['status'])}</td>"
        f"<td>{esc(e['outcome'])}</td><td>{esc(e['error'])}</td></tr>"
        for e in req["first_errors"]
    )
    host = rep.get("host", {})
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>soak report {esc(rep["run_id"])}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>
<body>
<h1>Soak report: {esc(rep["target"]["name"])}</h1>
<div class="sub">run {esc(rep["run_id"])} &middot; started {esc(rep["started_at"])} &middot; through
<code>{esc(rep["target"].get("frontend_url"))}</code> &middot; {rep["setup"]["signups"]} sign-ups first
({rep["setup_s"]:.0f} s, {rep["setup"]["failed"]} failed)</div>
{banner}
<div class="figs">{"".join(figs)}</div>
<h2>Verdicts</h2>
<table><tr><th>criterion</th><th>measured</th></tr>{rows}</table>
<h2>Over time</h2>
<p class="sub">One sample every {cfg["sample_s"]:g} s. The p99 windows are the first and the last
{cfg["window_s"]:g} s (an hour's first and last 10 minutes, a sixth of shorter runs).</p>
{"".join(charts(rep))}
<h2>Memory trends (second half)</h2>
<table><tr><th>component</th><th>samples</th><th>MiB per hour</th><th>standard error</th><th>a trend above
{cfg["memory_growth_limit_bytes_per_h"] / MIB:g} MiB/h</th></tr>{trends}</table>
<h2>Requests by kind</h2>
<table><tr><th>kind</th><th>requests</th><th>errors</th><th>p50</th><th>p99</th></tr>{kinds}</table>
<details><summary>First errors ({len(req["first_errors"])} of {req["errors"]})</summary>
<table><tr><th>t (s)</th><th>kind</th><th>method</th><th>status</th><th>outcome</th><th>error</th></tr>{errs}</table>
</details>
<p class="sub">Traffic: {cfg["users"]} users, one action every {cfg["seconds_between_a_users_actions"]:g} s each on
average (mix {esc(json.dumps(cfg["mix"]))}, about {cfg["tasks_per_user"]} tasks each), a new session every
{cfg["session_s"] / 60:g} min; sign-ins and sign-ups at most {cfg["auth_pace_per_min"]:g} a minute
(the stack's limit: {cfg["login_limit_per_min"]:g}). {req["actions_not_started"]} actions did not start (every
user or worker busy). Measured by: {esc(rep["measured_by"])}. Host: {esc(host.get("cpus"))} CPUs, load average
{esc(host.get("loadavg_1m_start"))} at the start, {esc(host.get("loadavg_1m_end"))} at the end. Every request is
in <code>timeline.csv</code>, every sample in <code>samples.csv</code>, every figure in <code>report.json</code>.</p>
</body></html>
"""
