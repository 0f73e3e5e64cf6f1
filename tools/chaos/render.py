"""HTML for both reports (the chaos run's and the soak's): escaping, the shared style sheet, figure
tiles, time-series line charts as inline SVG. Self-contained pages: no JavaScript, no CDN."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Any

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1200px;
  color:#1d2330;padding:0 16px}
h1{font-size:22px;margin:0 0 4px} .sub{color:#5a6475;margin-bottom:16px}
.banner{padding:10px 14px;border-radius:6px;font-weight:600;margin:12px 0 18px;font-size:16px}
.pass{background:#e4f5ea;color:#1f6e3b} .fail{background:#fbe5e6;color:#9b1c22}
.skipped{background:#eef0f3;color:#4b5563}
.dry{background:#eef0f3;color:#4b5563}
table{border-collapse:collapse;width:100%;margin:8px 0 20px;font-size:13.5px}
th,td{text-align:left;padding:7px 9px;border-bottom:1px solid #e5e8ec;vertical-align:top}
th{background:#f6f7f9;font-weight:600}
.badge{display:inline-block;padding:2px 8px;border-radius:10px;font-size:12px;font-weight:700;text-transform:uppercase}
.ok{color:#1f6e3b} .no{color:#9b1c22}
.figs{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:10px;margin:8px 0 20px}
.fig{background:#f6f7f9;border-radius:6px;padding:10px 12px} .fig b{display:block;font-size:20px}
.fig span{color:#5a6475;font-size:12px}
svg{max-width:100%;height:auto;border:1px solid #e5e8ec;border-radius:6px}
code{background:#f1f3f5;padding:1px 4px;border-radius:3px;font-size:12.5px}
details{margin:6px 0 14px} summary{cursor:pointer;color:#2a5bd7}
"""


def esc(x: Any) -> str:
    return html.escape(str(x), quote=True)


def fig(label: str, value: Any) -> str:
    """One figure tile: the value large, its label below."""
    return f'<div class="fig"><b>{esc(value)}</b><span>{esc(label)}</span></div>'


PALETTE = ["#2a6fdb", "#d9363e", "#2e9d55", "#f0a020", "#8a4fd8", "#13a3b5", "#b5651d", "#5a6475", "#e05ba3"]


@dataclass
class Series:
    """One line of a chart: (t seconds, value) points; a dashed fit line (t0, t1, a, b: a + b * t)."""

    name: str
    points: list[tuple[float, float]]
    color: str = ""
    fit: tuple[float, float, float, float] | None = None


def nice_step(span: float, ticks: int = 5) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about `ticks` intervals over span."""
    raw = max(span, 1e-12) / ticks
    mag = 10.0 ** math.floor(math.log10(raw))
    return next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)


def line_chart(
    title: str,
    series: list[Series],
    duration: float,
    unit: str = "",
    scale: float = 1.0,
    shades: list[tuple[float, float, str]] | None = None,
    limit: tuple[float, str] | None = None,
    width: int = 1160,
    height: int = 230,
) -> str:
    """A time-series chart as inline SVG: one line per series (values divided by `scale` on the
    axis, `unit` after them), shaded windows (t0, t1, label), a horizontal limit line (value,
    label) drawn only when it is within twice the highest value, a legend."""
    left, right, top, bottom = 78, 20, 30, 44
    pw, ph = width - left - right, height - top - bottom
    values = [v for s in series for _, v in s.points]
    hi = max([*values, 0.0])
    if limit and limit[0] <= 2 * hi:
        hi = max(hi, limit[0])
    hi = hi * 1.08 or 1.0
    step = nice_step(hi / scale)
    hi = math.ceil(hi / scale / step) * step * scale
    duration = max(duration, 1e-9)

    def x(t: float) -> float:
        return left + pw * max(0.0, min(t, duration)) / duration

    def y(v: float) -> float:
        return top + ph - ph * max(0.0, v) / hi

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12" role="img" '
        f'aria-label="{esc(title)}">',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fff"/>',
        f'<text x="{left}" y="18" fill="#222" font-weight="600">{esc(title)}</text>',
    ]
    for t0, t1, label in shades or []:
        out.append(
            f'<rect x="{x(t0):.1f}" y="{top}" width="{max(1.0, x(t1) - x(t0)):.1f}" height="{ph}" fill="#2a6fdb" '
            f'fill-opacity="0.08"><title>{esc(label)}</title></rect>'
        )
        out.append(f'<text x="{x(t0) + 4:.1f}" y="{top + 12}" fill="#2a5bd7" font-size="11">{esc(label)}</text>')
    v = 0.0
    while v <= hi / scale + 1e-9:
        yy = y(v * scale)
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#e3e6ea"/>')
        out.append(f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end" fill="#667">{v:g}{esc(unit)}</text>')
        v += step
    if limit and limit[0] <= hi:
        yy = y(limit[0])
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{yy:.1f}" y2="{yy:.1f}" '
            'stroke="#d9363e" stroke-dasharray="6 4"/>'
        )
        out.append(
            f'<text x="{width - right - 4}" y="{yy - 4:.1f}" text-anchor="end" fill="#d9363e">{esc(limit[1])}</text>'
        )
    for i, s in enumerate(series):
        col = s.color or PALETTE[i % len(PALETTE)]
        if s.points:
            path = " ".join(f"{'M' if j == 0 else 'L'}{x(t):.1f},{y(v):.1f}" for j, (t, v) in enumerate(s.points))
            out.append(
                f'<path d="{path}" fill="none" stroke="{col}" stroke-width="1.6"><title>{esc(s.name)}</title></path>'
            )
        if s.fit:
            t0, t1, a, b = s.fit
            out.append(
                f'<line x1="{x(t0):.1f}" x2="{x(t1):.1f}" y1="{y(a + b * t0):.1f}" y2="{y(a + b * t1):.1f}" '
                f'stroke="{col}" stroke-width="2.4" stroke-dasharray="5 3" stroke-opacity="0.7">'
                f"<title>{esc(s.name)}: trend over the second half</title></line>"
            )
    ya = top + ph
    out.append(f'<line x1="{left}" x2="{width - right}" y1="{ya}" y2="{ya}" stroke="#99a"/>')
    minutes = duration >= 300  # then the step is round in minutes (10m, not 500 s = 8.33m)
    tstep = nice_step(duration / 60, 10) * 60 if minutes else nice_step(duration, 10)
    t = 0.0
    while t <= duration + 1e-9:
        label = f"{t / 60:g}m" if minutes else f"{t:g}s"
        out.append(f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{ya}" y2="{ya + 5}" stroke="#99a"/>')
        out.append(f'<text x="{x(t):.1f}" y="{ya + 18}" text-anchor="middle" fill="#556">{label}</text>')
        t += tstep
    lx = left
    for i, s in enumerate(series):
        col = s.color or PALETTE[i % len(PALETTE)]
        out.append(f'<rect x="{lx}" y="{height - 14}" width="11" height="11" fill="{col}"/>')
        out.append(f'<text x="{lx + 16}" y="{height - 4}" fill="#334">{esc(s.name)}</text>')
        lx += 34 + 7 * len(s.name)
    out.append("</svg>")
    return "\n".join(out)
