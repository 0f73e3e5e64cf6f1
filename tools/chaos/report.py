"""The chaos report: a run's report.json, timeline.csv and report.html (inline SVG, no CDN, no
JavaScript), and the one-screen summary printed on stdout.

    python3 -m chaos report DIR     regenerate DIR/report.html from DIR/report.json + DIR/timeline.csv
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import sys
from typing import Any

from chaos.render import CSS, esc, fig

CSV_FIELDS = ["t", "scheduled", "target", "method", "status", "outcome", "latency_ms", "error"]
OK, WARN, BAD = "#2e9d55", "#f0a020", "#d9363e"
LANE_ORDER = ["api", "write", "frontend"]


def outcome_color(outcome: str) -> str:
    if outcome == "ok":
        return OK
    if outcome == "503":
        return WARN
    return BAD


def write_report(out_dir: str, rep: dict[str, Any]) -> None:
    records = rep.pop("_records", [])
    with open(os.path.join(out_dir, "timeline.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=CSV_FIELDS)
        w.writeheader()
        for r in sorted(records, key=lambda r: (r["t"], r["target"])):
            w.writerow({k: r.get(k, "") for k in CSV_FIELDS})
    with open(os.path.join(out_dir, "report.json"), "w") as f:
        json.dump(rep, f, indent=2)
        f.write("\n")
    with open(os.path.join(out_dir, "report.html"), "w") as f:
        f.write(render_html(rep, records))


def read_records(path: str) -> list[dict[str, Any]]:
    out = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            row["t"] = float(row["t"])
            row["latency_ms"] = float(row["latency_ms"] or 0)
            out.append(row)
    return out


# ---------------------------------------------------------------- summary (stdout)


def headline(name: str, res: dict[str, Any]) -> str:
    """The one figure that matters most for a scenario, as a short phrase."""
    f = res.get("figures", {})
    if res.get("verdict") == "skipped":
        return res.get("reason", "")
    if "reason" in res and not f:
        return res["reason"]
    if name.endswith("pod-kill"):
        rec = ", ".join("-" if r["recovery_s"] is None else f"{r['recovery_s']:.2f}" for r in f.get("rounds", []))
        av = f.get("availability", {})
        return (
            f"recovery s [{rec}]; availability {av.get('availability_pct')}% "
            f"({av.get('failed')}/{av.get('requests')} failed)"
        )
    if name == "db-outage":
        lat = f.get("latency_503_ms", {})
        return (
            f"{f.get('responses_503')} x 503 (p95 {lat.get('p95') or 0:.0f} ms), {f.get('timeouts')} timeouts; "
            f"served again {f.get('served_again_after_s')} s after the DB returned"
        )
    if name == "rolling-update":
        av = f.get("availability", {})
        return f"{av.get('failed')} of {av.get('requests')} requests failed in {f.get('duration_s')} s"
    if name == "no-lost-writes":
        return (
            f"{f.get('acknowledged')} acknowledged, {f.get('lost')} lost, {f.get('duplicates')} duplicates "
            f"({f.get('not_acknowledged')} not acknowledged)"
        )
    return ""


def summary_text(rep: dict[str, Any], out_dir: str) -> str:
    lines = []
    tgt = rep["target"]["name"]
    title = f"chaos report: target {tgt}, {rep['duration_s']} s" + (
        " (dry run: nothing was done)" if rep["dry_run"] else ""
    )
    lines.append(title)
    lines.append("-" * min(100, max(60, len(title))))
    for name, res in rep["scenarios"].items():
        v = res["verdict"].upper()
        lines.append(f"{name:<18} {v:<8} {headline(name, res)}")
        if res["verdict"] == "fail":
            for c in res.get("criteria", []):
                if not c["ok"]:
                    lines.append(f"{'':<18} {'':<8} failed: {c['name']}: {c['detail']}")
    ov = rep.get("overall", {})
    if ov.get("requests"):
        lines.append(
            f"{'overall':<18} {'':<8} {ov['requests']} requests, availability {ov['availability_pct']}%, "
            f"outcomes {ov['outcomes']}"
        )
    lines.append("")
    verdict = "PASS: every scenario passed" if rep["passed"] else "FAIL: at least one scenario failed"
    if rep["dry_run"]:
        verdict = "DRY RUN: plan printed above, nothing measured"
    lines.append(verdict)
    lines.append(f"report: {os.path.join(out_dir, 'report.html')} (figures: report.json, every probe: timeline.csv)")
    return "\n".join(lines)


# ---------------------------------------------------------------- HTML + SVG


def render_svg(rep: dict[str, Any], records: list[dict[str, Any]]) -> str:
    """Availability over time: stacked bars (OK / 503 / failed) per bin, one lane per traffic
    source with a tick per request, fault events as lines, recovery windows shaded."""
    duration = max([rep.get("duration_s") or 1.0] + [r["t"] for r in records] + [1.0])
    width, left, right = 1160, 118, 20
    plot_w = width - left - right
    top, bars_h = 66, 170
    lanes = [lane for lane in LANE_ORDER if any(r["target"] == lane for r in records)]
    lanes += sorted({r["target"] for r in records} - set(lanes))
    lane_h, lane_gap = 22, 6
    lanes_top = top + bars_h + 34
    lat_top = lanes_top + len(lanes) * (lane_h + lane_gap) + 30
    lat_h = 110
    height = lat_top + lat_h + 46

    def x(t: float) -> float:
        return left + plot_w * max(0.0, min(t, duration)) / duration

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12" role="img" '
        'aria-label="availability timeline">'
    ]
    out.append(f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fff"/>')
    # scenario bands (top strip)
    palette = ["#e8eefc", "#f3e8fc", "#e8f7f0", "#fcf3e6", "#eef2f5"]
    for i, sp in enumerate(s for s in rep.get("spans", []) if s["scenario"] != "no-lost-writes"):
        x0, x1 = x(sp["t0"]), x(sp["t1"])
        out.append(
            f'<rect x="{x0:.1f}" y="8" width="{max(1, x1 - x0):.1f}" height="20" fill="{palette[i % 5]}" rx="3"/>'
        )
        out.append(
            f'<text x="{(x0 + x1) / 2:.1f}" y="22" text-anchor="middle" fill="#334">{esc(sp["scenario"])}</text>'
        )
    # recovery / outage windows shaded across every panel
    for w in rep.get("windows", []):
        x0, x1 = x(w["t0"]), x(w["t1"])
        fill = "#d9363e" if "down" in w["label"] else "#f0a020"
        out.append(
            f'<rect x="{x0:.1f}" y="{top}" width="{max(1.5, x1 - x0):.1f}" height="{height - top - 40}" '
            f'fill="{fill}" fill-opacity="0.10"><title>{esc(w["label"])}: {w["t0"]:.2f}-{w["t1"]:.2f} s '
            f"({w['t1'] - w['t0']:.2f} s)</title></rect>"
        )
    # stacked bars
    nbins = min(240, max(20, int(duration / 0.5)))
    bw = duration / nbins
    bins = [[0, 0, 0] for _ in range(nbins)]
    for r in records:
        if r["target"] not in ("api", "write", "frontend"):
            continue
        b = min(nbins - 1, int(r["t"] / bw))
        k = 0 if r["outcome"] == "ok" else 1 if r["outcome"] == "503" else 2
        bins[b][k] += 1
    peak = max([sum(b) for b in bins] + [1])
    out.append(
        f'<text x="{left}" y="{top - 12}" fill="#222" font-weight="600">requests per {bw:.2f} s '
        "(user-facing: API reads, writes, frontend)</text>"
    )
    for frac in (0, 0.5, 1):
        yy = top + bars_h - bars_h * frac
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#e3e6ea"/>')
        out.append(f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end" fill="#667">{peak * frac:.0f}</text>')
    pw = plot_w / nbins
    for i, (ok, w503, bad) in enumerate(bins):
        y = float(top + bars_h)
        for n, col in ((ok, OK), (w503, WARN), (bad, BAD)):
            if not n:
                continue
            h = bars_h * n / peak
            y -= h
            out.append(
                f'<rect x="{left + i * pw:.1f}" y="{y:.1f}" width="{max(0.8, pw - 0.6):.1f}" '
                f'height="{h:.1f}" fill="{col}"/>'
            )
    # lanes
    out.append(
        f'<text x="{left}" y="{lanes_top - 8}" fill="#222" font-weight="600">every request, by source '
        "(tick colour = outcome)</text>"
    )
    for li, lane in enumerate(lanes):
        y0 = lanes_top + li * (lane_h + lane_gap)
        out.append(f'<rect x="{left}" y="{y0}" width="{plot_w}" height="{lane_h}" fill="#f6f7f9"/>')
        out.append(f'<text x="{left - 6}" y="{y0 + 15}" text-anchor="end" fill="#334">{esc(lane)}</text>')
        for r in records:
            if r["target"] != lane:
                continue
            col = outcome_color(r["outcome"])
            out.append(
                f'<line x1="{x(r["t"]):.1f}" x2="{x(r["t"]):.1f}" y1="{y0 + 2}" y2="{y0 + lane_h - 2}" '
                f'stroke="{col}" stroke-width="{1.2 if r["outcome"] == "ok" else 2}"/>'
            )
    # latency (log scale) of API reads
    api = [r for r in records if r["target"] == "api"]
    out.append(
        f'<text x="{left}" y="{lat_top - 8}" fill="#222" font-weight="600">API read latency (ms, log scale)</text>'
    )
    lo, hi = 1.0, max([r["latency_ms"] for r in api] + [100.0])

    def ly(ms: float) -> float:
        v = (math.log10(max(ms, lo)) - math.log10(lo)) / max(1e-9, math.log10(hi) - math.log10(lo))
        return lat_top + lat_h - lat_h * v

    for tick in (1, 10, 100, 1000, 10000):
        if tick <= hi * 1.01:
            out.append(
                f'<line x1="{left}" x2="{width - right}" y1="{ly(tick):.1f}" y2="{ly(tick):.1f}" stroke="#e3e6ea"/>'
            )
            out.append(f'<text x="{left - 6}" y="{ly(tick) + 4:.1f}" text-anchor="end" fill="#667">{tick}</text>')
    for r in api:
        out.append(
            f'<circle cx="{x(r["t"]):.1f}" cy="{ly(r["latency_ms"]):.1f}" r="1.6" '
            f'fill="{outcome_color(r["outcome"])}"/>'
        )
    # fault / restore events
    for ev in rep.get("events", []):
        col = {"fault": BAD, "restore": "#2a6fdb", "recovered": OK}.get(ev["kind"], "#888")
        xe = x(ev["t"])
        dash = "" if ev["kind"] == "fault" else ' stroke-dasharray="4 3"'
        out.append(
            f'<line x1="{xe:.1f}" x2="{xe:.1f}" y1="{top}" y2="{height - 40}" stroke="{col}" stroke-width="1.4"{dash}>'
            f"<title>{esc(ev['label'])} at {ev['t']:.2f} s</title></line>"
        )
        if ev["kind"] == "fault":
            out.append(
                f'<path d="M{xe - 5:.1f},{top - 1} L{xe + 5:.1f},{top - 1} L{xe:.1f},{top + 7} Z" fill="{col}"/>'
            )
    # time axis
    ya = height - 40
    out.append(f'<line x1="{left}" x2="{width - right}" y1="{ya}" y2="{ya}" stroke="#99a"/>')
    step = next(s for s in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1e9) if duration / s <= 14)
    t = 0.0
    while t <= duration + 1e-9:
        out.append(f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{ya}" y2="{ya + 5}" stroke="#99a"/>')
        out.append(f'<text x="{x(t):.1f}" y="{ya + 18}" text-anchor="middle" fill="#556">{t:g}s</text>')
        t += step
    # legend
    lx = left
    for label, col, kind in (
        ("OK", OK, "box"),
        ("503", WARN, "box"),
        ("failed / timeout", BAD, "box"),
        ("fault", BAD, "line"),
        ("restored", "#2a6fdb", "dash"),
        ("recovered", OK, "dash"),
        ("recovering / down", "#f0a020", "shade"),
    ):
        if kind == "box":
            out.append(f'<rect x="{lx}" y="{height - 14}" width="11" height="11" fill="{col}"/>')
        elif kind == "shade":
            out.append(f'<rect x="{lx}" y="{height - 14}" width="11" height="11" fill="{col}" fill-opacity="0.25"/>')
        else:
            d = ' stroke-dasharray="3 2"' if kind == "dash" else ""
            out.append(
                f'<line x1="{lx}" x2="{lx + 11}" y1="{height - 8}" y2="{height - 8}" '
                f'stroke="{col}" stroke-width="2"{d}/>'
            )
        out.append(f'<text x="{lx + 16}" y="{height - 4}" fill="#334">{esc(label)}</text>')
        lx += 30 + 7 * len(label)
    out.append("</svg>")
    return "\n".join(out)


def render_html(rep: dict[str, Any], records: list[dict[str, Any]]) -> str:
    sc = rep["scenarios"]
    tgt = rep["target"]
    if rep["dry_run"]:
        banner = '<div class="banner dry">Dry run: the plan was printed, nothing was measured.</div>'
    elif rep["passed"]:
        banner = '<div class="banner pass">PASS: every scenario met its promise.</div>'
    else:
        failed = [n for n, r in sc.items() if r["verdict"] == "fail"]
        banner = f'<div class="banner fail">FAIL: {esc(", ".join(failed))}</div>'
    figs = []
    bk = sc.get("backend-pod-kill", {}).get("figures", {})
    if bk.get("rounds"):
        figs.append(fig("worst backend recovery", f"{bk.get('worst_recovery_s')} s"))
        figs.append(fig("availability while backends were killed", f"{bk['availability']['availability_pct']} %"))
    db = sc.get("db-outage", {}).get("figures", {})
    if db:
        figs.append(fig("503s / timeouts during the DB outage", f"{db.get('responses_503')} / {db.get('timeouts')}"))
        figs.append(fig("served again after the DB returned", f"{db.get('served_again_after_s')} s"))
    nl = sc.get("no-lost-writes", {}).get("figures", {})
    if nl:
        figs.append(fig("writes acknowledged / lost", f"{nl.get('acknowledged')} / {nl.get('lost')}"))
    ru = sc.get("rolling-update", {}).get("figures", {})
    if ru.get("availability"):
        figs.append(fig("failed requests in the rolling update", ru["availability"]["failed"]))
    ov = rep.get("overall", {})
    if ov.get("requests"):
        figs.append(fig("requests recorded (all)", ov["requests"]))
    load = rep.get("load") or {}
    if isinstance(load, dict) and load.get("requests"):
        p99 = (load.get("latency_ms") or {}).get("p99") or 0
        figs.append(
            fig(
                f"background requests (probe load, {load.get('connections')} connections), p99 {p99:.0f} ms",
                load["requests"],
            )
        )
    rows = []
    for name, res in sc.items():
        v = res["verdict"]
        crit = "".join(
            f'<div class="{"ok" if c["ok"] else "no"}">{"&#10003;" if c["ok"] else "&#10007;"} {esc(c["name"])}'
            f' <span style="color:#5a6475">({esc(c["detail"])})</span></div>'
            for c in res.get("criteria", [])
        )
        if v == "skipped":
            crit = f"<div>skipped: {esc(res.get('reason', ''))}</div>"
        rows.append(
            f'<tr><td><b>{esc(name)}</b></td><td><span class="badge {v}">{esc(v)}</span></td>'
            f"<td>{esc(headline(name, res))}</td><td>{crit}</td></tr>"
        )
    round_rows = []
    for comp in ("backend-pod-kill", "frontend-pod-kill"):
        for r in sc.get(comp, {}).get("figures", {}).get("rounds", []):
            round_rows.append(
                f"<tr><td>{esc(comp)}</td><td>{r['round']}</td><td>{esc(r['victim'])}</td>"
                f"<td>{esc(r.get('exited_after_s', '-'))}</td><td>{esc(r.get('restarted_after_s', '-'))}</td>"
                f"<td><b>{esc(r['recovery_s'])}</b></td><td>{r['service_failed_requests']}</td>"
                f"<td>{esc(r['service_down_s'])}</td></tr>"
            )
    events = "".join(
        f"<tr><td>{e['t']:.2f}</td><td>{esc(e['scenario'])}</td><td>{esc(e['kind'])}</td>"
        f"<td>{esc(e['label'])}</td></tr>"
        for e in rep.get("events", [])
    )
    cfg = rep.get("config", {})
    host = rep.get("host", {})
    rounds_table = ""
    if round_rows:
        heads = [
            "scenario",
            "round",
            "killed",
            "old one exited after (s)",
            "new one started after (s)",
            "replica back (ready) after (s)",
            "failed requests through the service",
            "service down (s)",
        ]
        rounds_table = (
            "<h2>Kill rounds</h2><table><tr>"
            + "".join(f"<th>{h}</th>" for h in heads)
            + "</tr>"
            + "".join(round_rows)
            + "</table>"
        )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>chaos report {esc(rep["run_id"])}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>
<body>
<h1>Chaos report: {esc(tgt["name"])}</h1>
<div class="sub">run {esc(rep["run_id"])} &middot; started {esc(rep["started_at"])} &middot;
{esc(rep["duration_s"])} s &middot; API <code>{esc(tgt.get("api_url"))}</code> &middot; {cfg.get("rounds")} rounds,
recovery SLO {cfg.get("recovery_slo_s")} s, DB outage {cfg.get("db_outage_s")} s</div>
{banner}
<div class="figs">{"".join(figs)}</div>
<h2>Availability timeline</h2>
{render_svg(rep, records)}
<h2>Verdicts</h2>
<table><tr><th>scenario</th><th>verdict</th><th>figures</th><th>criteria</th></tr>{"".join(rows)}</table>
{rounds_table}
<details><summary>Fault events ({len(rep.get("events", []))})</summary>
<table><tr><th>t (s)</th><th>scenario</th><th>kind</th><th>event</th></tr>{events}</table></details>
<p class="sub">Host: {esc(host.get("cpus"))} CPUs, load average {esc(host.get("loadavg_1m_start"))}
at the start, {esc(host.get("loadavg_1m_end"))} at the end (recovery times include process start-up, which slows
down on a busy machine).
Every request is in <code>timeline.csv</code>; every figure in <code>report.json</code>.
Measured by: {esc(rep.get("measured_by", ""))}.</p>
</body></html>
"""


def add_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("dir", metavar="DIR", help="a run's folder (build/chaos/<timestamp>)")


def main(args: argparse.Namespace) -> int:
    d = args.dir
    if not os.path.exists(os.path.join(d, "report.json")):
        print(f"chaos report: no report.json in {d} (run make chaos-test or make chaos-native first)", file=sys.stderr)
        return 2
    with open(os.path.join(d, "report.json")) as f:
        rep = json.load(f)
    records = read_records(os.path.join(d, "timeline.csv"))
    with open(os.path.join(d, "report.html"), "w") as f:
        f.write(render_html(rep, records))
    print(summary_text(rep, d))
    return 0
