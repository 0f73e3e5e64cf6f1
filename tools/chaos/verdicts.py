"""Verdicts: each promise as named criteria (name, ok, detail) computed from measured figures.
Nothing here measures or waits; the scenarios and the soak hand their figures in."""

from __future__ import annotations

import math
from typing import Any

from chaos.util import fmt_duration

Criterion = dict[str, Any]


def criterion(name: str, ok: bool, detail: str) -> Criterion:
    return {"name": name, "ok": bool(ok), "detail": detail}


# ---------------------------------------------------------------- chaos scenarios


def pod_kill(
    recoveries: list[float | None], recovery_slo: float, av: dict[str, Any], replicas: int, availability_slo: float
) -> list[Criterion]:
    """Every round back within the SLO; with >= 2 replicas, availability at or above its SLO."""
    out = [
        criterion(
            f"every round recovered within {fmt_duration(recovery_slo)}",
            all(x is not None and x <= recovery_slo for x in recoveries),
            "rounds: " + ", ".join("-" if x is None else f"{x:.2f}s" for x in recoveries),
        )
    ]
    if replicas >= 2:
        a = av["availability_pct"]
        out.append(
            criterion(
                f"availability >= {availability_slo:g}% with {replicas} replicas",
                a is not None and a >= availability_slo,
                f"{a}% ({av['failed']} of {av['requests']} requests failed)",
            )
        )
    return out


def db_outage(
    counts: dict[str, int],
    lat503: list[float],
    p50: float | None,
    p95: float | None,
    ready: list[bool],
    restarts: tuple[int, int],
    back_s: float | None,
    fast_503_slo: float,
    recovery_slo: float,
) -> list[Criterion]:
    """503s and not timeouts, fast 503s, /ready failing, no restart, serving again in time."""
    n503, n_timeouts = counts.get("503", 0), counts.get("timeout", 0)
    other = sum(v for k, v in counts.items() if k not in ("503", "timeout", "conn_error", "ok"))
    before, after = restarts
    return [
        criterion(
            "the API answered 503, not timeouts",
            n503 > 0 and n_timeouts == 0,
            f"{n503} x 503, {n_timeouts} timeouts, {counts.get('conn_error', 0)} connection errors, "
            f"{counts.get('ok', 0)} ok, {other} other",
        ),
        criterion(
            f"503s were fast (p95 <= {fmt_duration(fast_503_slo)})",
            p95 is not None and p95 / 1000 <= fast_503_slo,
            f"p50 {p50 or 0:.0f} ms, p95 {p95 or 0:.0f} ms, max {max(lat503) if lat503 else 0:.0f} ms",
        ),
        criterion("/ready failed", any(ready), f"{sum(ready)} of {len(ready)} readiness samples failing"),
        criterion("no backend restarted", after == before, f"restarts before {before}, after {after}"),
        criterion(
            f"served again within {fmt_duration(recovery_slo)} of the database returning",
            back_s is not None and back_s <= recovery_slo,
            "never" if back_s is None else f"{back_s:.2f} s",
        ),
    ]


def rolling_update(av: dict[str, Any], with_frontend: bool) -> list[Criterion]:
    return [
        criterion(
            "zero failed requests",
            av["failed"] == 0 and av["requests"] > 0,
            f"{av['failed']} of {av['requests']} requests failed (reads, writes"
            + (", frontend)" if with_frontend else ")"),
        )
    ]


def writes(audit: dict[str, Any], changes: bool = False) -> list[Criterion]:
    """No acknowledged write missing, none stored twice; with updates, toggles and deletes
    (changes=True) also every acknowledged change visible."""
    out = [
        criterion(
            "zero acknowledged writes missing",
            audit["lost"] == 0 and audit["acknowledged"] > 0,
            f"{audit['acknowledged']} acknowledged, {audit['lost']} missing",
        ),
        criterion("zero duplicates", audit["duplicates"] == 0, f"{audit['duplicates']} titles stored more than once"),
    ]
    if changes:
        out.append(
            criterion(
                "every acknowledged change is visible",
                audit["wrong_state"] == 0 and audit["resurrected"] == 0,
                f"{audit['wrong_state']} with another title or state than acknowledged, "
                f"{audit['resurrected']} deleted but still there",
            )
        )
    return out


# ---------------------------------------------------------------- the soak


def linear_fit(points: list[tuple[float, float]]) -> tuple[float, float, float] | None:
    """Least-squares line through (x, y): (slope, intercept, standard error of the slope);
    None with fewer than 3 points or no spread in x."""
    n = len(points)
    if n < 3:
        return None
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    if sxx <= 0:
        return None
    slope = sum((x - mx) * (y - my) for x, y in points) / sxx
    intercept = my - slope * mx
    resid = sum((y - (intercept + slope * x)) ** 2 for x, y in points)
    se = math.sqrt(resid / (n - 2) / sxx)
    return slope, intercept, se


def memory_trend(series: list[tuple[float, float]], limit_per_hour: float) -> dict[str, Any]:
    """The growth of one memory series (t seconds, bytes) over its second half, in bytes per hour.
    It is a trend above the limit when even slope - 2 standard errors is above it, so a short run's
    noise is not mistaken for a leak while a steady climb is."""
    if not series:
        return {"points": 0, "slope_per_hour": None, "stderr_per_hour": None, "growing": None}
    t_end = series[-1][0]
    t_half = series[0][0] + (t_end - series[0][0]) / 2
    half = [(t, v) for t, v in series if t >= t_half]
    fit = linear_fit(half)
    if fit is None:
        return {"points": len(half), "slope_per_hour": None, "stderr_per_hour": None, "growing": None}
    slope, intercept, se = fit
    return {
        "points": len(half),
        "from_s": round(half[0][0], 1),
        "to_s": round(half[-1][0], 1),
        "slope_per_hour": slope * 3600,
        "stderr_per_hour": se * 3600,
        "intercept": intercept,
        "growing": (slope - 2 * se) * 3600 > limit_per_hour,
    }


def mib(n: float | None) -> str:
    return "-" if n is None else f"{n / 2**20:.1f} MiB"


def soak(
    errors: int,
    requests: int,
    audit: dict[str, Any] | None,
    trends: dict[str, dict[str, Any]],
    growth_limit: float,
    p99_first: float | None,
    p99_last: float | None,
    p99_ratio: float,
    peaks: dict[str, float | None],
    memory_limit: float,
) -> list[Criterion]:
    """The soak's promises: no error, no lost write, no memory growth trend, no latency drift, and
    the memory of the stack (and of the cluster, when measured) under the limit."""
    out = [criterion("zero errors", errors == 0 and requests > 0, f"{errors} of {requests} requests failed")]
    if audit is None:
        out.append(criterion("zero acknowledged writes missing", False, "the task lists could not be read back"))
    else:
        out += writes(audit, changes=True)
    growing = sorted(name for name, t in trends.items() if t["growing"])
    unknown = sorted(name for name, t in trends.items() if t["growing"] is None)
    worst = max(
        ((name, t["slope_per_hour"]) for name, t in trends.items() if t["slope_per_hour"] is not None),
        key=lambda x: x[1],
        default=None,
    )
    detail = ", ".join(f"{n} {mib(trends[n]['slope_per_hour'])}/h" for n in growing) or (
        f"steepest: {worst[0]} {mib(worst[1])}/h" if worst else "no samples"
    )
    if unknown:
        detail += f"; too few samples for {', '.join(unknown)}"
    out.append(
        criterion(
            f"no memory growth trend above {mib(growth_limit)}/h (second half)",
            not growing and not unknown and bool(trends),
            detail,
        )
    )
    ratio = None if not p99_first or p99_last is None else p99_last / p99_first
    out.append(
        criterion(
            f"p99 of the last window within {p99_ratio:g}x of the first",
            ratio is not None and ratio <= p99_ratio,
            f"first {p99_first or 0:.0f} ms, last {p99_last or 0:.0f} ms"
            + (f" ({ratio:.2f}x)" if ratio is not None else " (no requests in a window)"),
        )
    )
    for scope, peak in peaks.items():
        out.append(
            criterion(
                f"{scope} memory under {memory_limit / 1e9:g} GB",
                peak is not None and peak < memory_limit,
                f"peak {peak / 1e9:.2f} GB" if peak is not None else "not measured",
            )
        )
    return out
