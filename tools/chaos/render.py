"""HTML for both reports (the chaos run's and the soak's): escaping, the shared style sheet, figure
tiles. Self-contained pages: no JavaScript, no CDN."""

from __future__ import annotations

import html
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
