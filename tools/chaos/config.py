"""The chaos run's knobs, read once from the environment (Make passes them with the same names)."""

from __future__ import annotations

import sys
from typing import Any

from chaos.util import env, parse_duration

SCENARIOS = ["backend-pod-kill", "frontend-pod-kill", "db-outage", "rolling-update", "no-lost-writes"]
MEASURES = ("probe", "python")


class Config:
    """Every knob, read once from the environment."""

    def __init__(self) -> None:
        self.rounds = int(env("CHAOS_ROUNDS", "5"))
        self.interval = parse_duration(env("CHAOS_INTERVAL", "10s"))
        self.recovery_slo = parse_duration(env("RECOVERY_SLO", "30s"))
        self.db_outage = parse_duration(env("DB_OUTAGE", "10s"))
        self.db_recovery_slo = parse_duration(env("DB_RECOVERY_SLO", "10s"))
        self.fast_503_slo = parse_duration(env("CHAOS_503_SLO", "1s"))
        self.availability_slo = float(env("CHAOS_AVAILABILITY_SLO", "99"))
        self.watch_interval = parse_duration(env("CHAOS_WATCH_INTERVAL", "100ms"))
        self.write_interval = parse_duration(env("CHAOS_WRITE_INTERVAL", "200ms"))
        self.timeout = parse_duration(env("CHAOS_TIMEOUT", "2s"))
        self.load_concurrency = int(env("CHAOS_LOAD_CONCURRENCY", "2"))
        self.settle = parse_duration(env("CHAOS_SETTLE", "2s"))
        self.dry_run = env("CHAOS_DRY_RUN", "0") not in ("0", "", "false", "no")
        wanted = env("CHAOS_SCENARIOS", "all")
        self.scenarios = SCENARIOS if wanted == "all" else [s.strip() for s in wanted.split(",") if s.strip()]
        unknown = [s for s in self.scenarios if s not in SCENARIOS]
        if unknown:
            raise ValueError(f"CHAOS_SCENARIOS: unknown {', '.join(unknown)} (known: {', '.join(SCENARIOS)})")
        if self.rounds < 1 or self.rounds > 100:
            raise ValueError("CHAOS_ROUNDS must be 1..100")
        # probe watch records every probe; `python` uses watcher threads instead (same records)
        self.measure = env("CHAOS_MEASURE", "probe")
        if self.measure not in MEASURES:
            raise ValueError(f"CHAOS_MEASURE: {self.measure!r} is not one of {', '.join(MEASURES)}")
        self.probe = env("PROBE", "build/bin/probe")

    def as_dict(self) -> dict[str, Any]:
        return {
            "rounds": self.rounds,
            "interval_s": self.interval,
            "recovery_slo_s": self.recovery_slo,
            "db_outage_s": self.db_outage,
            "db_recovery_slo_s": self.db_recovery_slo,
            "fast_503_slo_s": self.fast_503_slo,
            "availability_slo_pct": self.availability_slo,
            "watch_interval_s": self.watch_interval,
            "write_interval_s": self.write_interval,
            "request_timeout_s": self.timeout,
            "load_concurrency": self.load_concurrency,
            "scenarios": self.scenarios,
        }


def from_env(command: str) -> Config | None:
    """The knobs, or None after saying on stderr which one is wrong (the caller exits 2)."""
    try:
        return Config()
    except ValueError as e:
        print(f"{command}: {e}", file=sys.stderr)
        return None
