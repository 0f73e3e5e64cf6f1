"""Small helpers every module uses: durations written like probe's, percentiles, bounded waits."""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Callable


def parse_duration(text: str) -> float:
    """'250ms', '2s', '1m30s', '10' (seconds) -> seconds."""
    text = str(text).strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    total, pos = 0.0, 0
    for m in re.finditer(r"(\d+(?:\.\d+)?)(ms|s|m|h)", text):
        if m.start() != pos:
            break
        total += float(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[m.group(2)]
        pos = m.end()
    if pos != len(text) or not text:
        raise ValueError(f"not a duration: {text!r} (write 250ms, 2s, 1m30s)")
    return total


def fmt_duration(seconds: float) -> str:
    """Seconds -> the shortest Go-style duration probe accepts ('500ms', '2s', '2.5s')."""
    ms = round(seconds * 1000)
    if ms % 1000 == 0:
        return f"{ms // 1000}s"
    return f"{ms}ms"


def env(name: str, default: str) -> str:
    v = os.environ.get(name, "")
    return v if v != "" else default


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    k = max(0, min(len(s) - 1, round(q * (len(s) - 1))))
    return s[k]


def r3(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def wait_until(pred: Callable[[], bool], within: float, interval: float = 0.1) -> float | None:
    """Polls pred until true; the seconds it took, or None after `within` (bounded)."""
    start = time.monotonic()
    while True:
        with contextlib.suppress(Exception):  # a failing check is a "not yet"
            if pred():
                return time.monotonic() - start
        if time.monotonic() - start > within:
            return None
        time.sleep(interval)
