"""The chaos run: kill parts of the running stack under load, measure recovery, prove no write
was lost.

    python3 -m chaos run [--target auto|k8s|helm|compose] [--out build/chaos]

Scenarios (each gets a verdict and figures): backend-pod-kill, frontend-pod-kill, db-outage,
rolling-update, and no-lost-writes (a writer that runs through all of them). The measuring,
the verdicts and the report are the same for every target; only the fault commands differ
(a target is a small class: kubectl/helm, docker compose, or the native stack in chaos.native).
Every fault command is printed before it runs; CHAOS_DRY_RUN=1 prints the plan only and
touches nothing.

Knobs (environment): CHAOS_ROUNDS (5), CHAOS_INTERVAL (10s), RECOVERY_SLO (30s), DB_OUTAGE (10s),
DB_RECOVERY_SLO (10s), CHAOS_503_SLO (1s), CHAOS_AVAILABILITY_SLO (99), CHAOS_SCENARIOS (all),
CHAOS_WATCH_INTERVAL (100ms), CHAOS_WRITE_INTERVAL (200ms), CHAOS_TIMEOUT (2s),
CHAOS_LOAD_CONCURRENCY (2), CHAOS_MEASURE (probe), CHAOS_DRY_RUN, PROBE (build/bin/probe), and
for clusters NAMESPACE, RELEASE, CHAOS_API_URL, CHAOS_FRONTEND_URL, CHAOS_BACKEND_DEPLOYMENT, ...
(see docs/chaos.md).

Exit status: 0 when every scenario passed (a skipped one says why), 1 when one failed, 2 on a
usage or setup error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from chaos import report as report_mod
from chaos import verdicts
from chaos.config import SCENARIOS, Config, from_env
from chaos.runner import Runner, private_copy
from chaos.targets import ComposeTarget, KubeTarget, Target, detect_target
from chaos.traffic import ProbeWatcher, Timeline, Watcher, Writer, availability, http, read_all_tasks
from chaos.util import env, fmt_duration, parse_duration, percentile, r3, wait_until

HERE = Path(__file__).resolve().parent


class Chaos:
    """Runs the scenarios against one target and collects every figure."""

    def __init__(self, cfg: Config, target: Target, runner: Runner) -> None:
        self.cfg, self.target, self.runner = cfg, target, runner
        self.tl = Timeline()
        self.results: dict[str, dict[str, Any]] = {}
        self.watchers: dict[str, Watcher] = {}
        self.writer: Writer | None = None
        self.user: dict[str, str] = {}
        self.run_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}"
        self.load_proc: subprocess.Popen[bytes] | None = None
        self.load_json = ""
        self.finalizers: list[tuple[str, Callable[[], None]]] = []
        self.steady_waits: dict[str, float | None] = {}  # scenario -> seconds waited before it
        self.measure = cfg.measure
        self.probe_copy_dir = ""

    # -- helpers
    def api_list_url(self, base: str | None = None) -> str:
        return f"{base or self.target.api_url}/api/{self.user['id']}/tasks?status=all"

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.user['token']}"}

    def watch(self, name: str, url: str, auth: bool = False, interval: float | None = None) -> None:
        """Records every probe of url: `probe watch`, or a thread with CHAOS_MEASURE=python."""
        every = interval or self.cfg.watch_interval
        if self.runner.dry_run:
            cmd = [self.cfg.probe, "watch", url, "--interval", fmt_duration(every), "--csv",
                   f"<report>/probe/watch-{name}.csv"]  # fmt: skip
            self.runner.show(cmd, f"records every probe ({name})")
            return
        w: Any
        headers = self.auth() if auth else None
        if self.measure == "probe":
            w = ProbeWatcher(self.tl, self.cfg.probe, name, url, every, self.cfg.timeout, headers, self.out_dir,
                             self.runner)  # fmt: skip
        else:
            w = Watcher(self.tl, name, url, every, self.cfg.timeout, headers)
        self.watchers[name] = w
        w.start()

    def unwatch(self, name: str) -> None:
        w = self.watchers.pop(name, None)
        if w:
            w.stop()
            w.join(timeout=self.cfg.timeout + 1)

    def sleep(self, seconds: float) -> None:
        if not self.runner.dry_run:
            time.sleep(seconds)

    def first_streak(self, targets: list[str], after: float, n: int = 3) -> float | None:
        """Time of the first of n consecutive OK requests (per target) after `after`."""
        best: float | None = None
        for tgt in targets:
            streak, first = 0, None
            for r in self.tl.select([tgt], after, 1e12):
                if r["outcome"] == "ok":
                    streak += 1
                    first = r["t"] if streak == 1 else first
                    if streak >= n:
                        break
                else:
                    streak, first = 0, None
            if streak >= n and first is not None:
                best = first if best is None else max(best, first)
            else:
                return None
        return best

    def verdict(self, name: str, criteria: list[dict[str, Any]], figures: dict[str, Any], t0: float, t1: float) -> None:
        if self.runner.dry_run:
            self.results[name] = {
                "verdict": "planned",
                "criteria": [{"name": c["name"], "ok": True, "detail": "not measured (dry run)"} for c in criteria],
                "figures": {},
            }
            return
        ok = all(c["ok"] for c in criteria)
        self.results[name] = {
            "verdict": "pass" if ok else "fail",
            "criteria": criteria,
            "figures": figures,
            "t0": round(t0, 3),
            "t1": round(t1, 3),
        }
        self.tl.scenario_spans.append({"scenario": name, "t0": round(t0, 3), "t1": round(t1, 3)})

    def skip(self, name: str, reason: str) -> None:
        print(f"  skipped: {reason}", flush=True)
        self.results[name] = {"verdict": "skipped", "reason": reason, "criteria": [], "figures": {}}

    # -- setup: an account, the watchers, the writer and the background load
    def start_traffic(self) -> None:
        email = f"chaos-{self.run_id.lower()}@example.com"
        password = "chaos-" + os.urandom(8).hex()
        body = {"email": email, "password": password, "name": "chaos"}
        res: dict[str, Any] = {}
        for _ in range(50):  # bounded: the stack was just (re)started
            res = http("POST", f"{self.target.api_url}/api/auth/register", body=body, timeout=5)
            if res["status"] in (200, 201):
                break
            time.sleep(0.2)
        if res.get("status") not in (200, 201):
            raise RuntimeError(
                f"register failed: {res.get('status')} {res.get('error')} {res.get('body', b'')[:200]!r}"
            )
        data = json.loads(res["body"])
        self.user = {"id": str(data["user"]["id"]), "token": data["access_token"], "email": email}
        self.watch("api", self.api_list_url(), auth=True)
        if self.target.frontend_url and "frontend-pod-kill" in self.cfg.scenarios:
            # a server-rendered page: a user's pace, not a health check's
            self.watch("frontend", self.target.frontend_url + env("CHAOS_FRONTEND_PATH", "/signin"),
                       interval=parse_duration(env("CHAOS_FRONTEND_WATCH_INTERVAL", "250ms")))  # fmt: skip
        self.writer = Writer(
            self.tl,
            self.target.api_url,
            self.user["id"],
            self.user["token"],
            self.run_id,
            self.cfg.write_interval,
            self.cfg.timeout,
        )
        self.writer.start()
        self.start_load()

    def start_load(self) -> None:
        """Steady background load: `probe load` on /health (figures kept); CHAOS_LOAD_CONCURRENCY=0
        turns it off."""
        if self.cfg.load_concurrency <= 0:
            return
        self.load_json = str(Path(self.out_dir) / "load.json")
        cmd = [
            self.cfg.probe,
            "load",
            f"{self.target.api_url}/health",
            "-c",
            str(self.cfg.load_concurrency),
            "-d",
            "1h",
            "--rate",
            env("CHAOS_LOAD_RATE", "20"),
            "--json",
        ]
        self.runner.show(cmd, "steady background load until the end")
        self.load_out = open(self.load_json, "wb")  # noqa: SIM115 - closed in stop_traffic
        self.load_proc = subprocess.Popen(cmd, stdout=self.load_out, stderr=subprocess.DEVNULL)

    def private_probe(self) -> None:
        """Runs a private copy of probe: a rebuild of build/bin/probe during the run must not break
        it. A missing probe stops the run (make chaos-test builds it)."""
        self.probe_copy_dir, self.cfg.probe = private_copy(self.cfg.probe)

    def cleanup(self) -> None:
        if self.probe_copy_dir:
            shutil.rmtree(self.probe_copy_dir, ignore_errors=True)

    def stop_traffic(self) -> None:
        if self.writer:
            self.writer.stop()
            self.writer.join(timeout=self.cfg.timeout + 1)
        for name in list(self.watchers):
            self.unwatch(name)
        if self.load_proc:
            self.load_proc.send_signal(signal.SIGINT)
            try:
                self.load_proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.load_proc.kill()
            self.load_out.close()

    # -- scenario 1 and 2
    def pod_kill(self, component: str) -> None:
        name = f"{component}-pod-kill"
        watched = "api" if component == "backend" else "frontend"
        if component == "frontend" and not self.target.frontend_url:
            raise RuntimeError(f"target {self.target.name} has no frontend URL (set CHAOS_FRONTEND_URL)")
        t_start = self.tl.now()
        rounds: list[dict[str, Any]] = []
        nrep = len(self.target.replicas(component))
        for i in range(self.cfg.rounds):
            reps = self.target.replicas(component)
            victim = reps[i % len(reps)] if reps else "?"
            print(f"  round {i + 1}/{self.cfg.rounds}: kill {victim}", flush=True)
            within = max(2 * self.cfg.recovery_slo, self.cfg.recovery_slo + 5)
            plan = self.target.recover_plan(component, victim)
            recover: dict[str, Any] = {}
            if plan:
                t_fault, wall_kill, took, recover = self.probe_recover(name, component, i, plan, within)
            else:
                t_fault = self.tl.event(name, "fault", f"kill {component} #{i + 1}")
                wall_kill = time.time()
                self.target.kill(self.runner, component, victim)
                took = (
                    0.0
                    if self.runner.dry_run
                    else wait_until(partial(self.target.replica_back, component, victim), within, 0.1)
                )
            t_back = t_fault + took if took is not None else self.tl.now()
            self.tl.window(name, f"{component} #{i + 1} recovering", t_fault, t_back)
            self.tl.event(
                name,
                "recovered" if took is not None else "not-recovered",
                f"{component} #{i + 1} back" if took is not None else "not back",
            )
            rounds.append(
                {
                    "round": i + 1,
                    "victim": victim,
                    "recovery_s": r3(took),
                    "_t": (t_fault, t_back),
                    **self.target.kill_details(victim, wall_kill),
                    **({"probe_recover": recover} if recover else {}),
                }
            )
            if not self.runner.dry_run and not recover:
                print(
                    f"    replica back (ready) after {took:.2f} s"
                    if took is not None
                    else f"    NOT back within {2 * self.cfg.recovery_slo:.0f} s",
                    flush=True,
                )
            if i + 1 < self.cfg.rounds:
                self.sleep(self.cfg.interval)
        self.sleep(self.cfg.settle)
        t_end = self.tl.now()

        def finish() -> None:
            for r in rounds:
                t_fault, t_back = r.pop("_t")
                sel = self.tl.select([watched], t_fault, t_back + 1.0)
                failed = [x for x in sel if x["outcome"] != "ok"]
                r["service_failed_requests"] = len(failed)
                r["service_down_s"] = r3(
                    (max(x["t"] for x in failed) - min(x["t"] for x in failed) + self.cfg.watch_interval)
                    if failed
                    else 0.0
                )
            av = availability(self.tl.select([watched], t_start, t_end))
            rec = [r["recovery_s"] for r in rounds]
            criteria = verdicts.pod_kill(rec, self.cfg.recovery_slo, av, nrep, self.cfg.availability_slo)
            self.verdict(
                name,
                criteria,
                {
                    "replicas": nrep,
                    "rounds": rounds,
                    "worst_recovery_s": max((x for x in rec if x is not None), default=None),
                    "availability": av,
                },
                t_start,
                t_end,
            )

        self.finalizers.append((name, finish))

    def probe_recover(
        self, name: str, component: str, i: int, plan: tuple[str, list[str]], within: float
    ) -> tuple[float, float, float | None, dict[str, Any]]:
        """One kill round timed by `probe recover REPLICA_URL -- FAULT`: probe checks the replica is
        healthy, runs the fault, and times the outage until 3 successes in a row. Returns the
        fault's time on the timeline, its wall-clock time, the recovery (None: not recovered) and
        probe's JSON."""
        url, fault = plan
        victim = self.target.replicas(component)[i % len(self.target.replicas(component))]
        stamp = os.path.relpath(HERE / "fault.sh")  # prints the fault's start time, then execs it
        cmd = [self.cfg.probe, "recover", url, "--within", fmt_duration(within), "--interval", "100ms",
               "--success-threshold", "3", "--json", "--", stamp, *fault]  # fmt: skip
        self.runner.show(cmd, f"kill {victim}, time until it answers again")
        if self.runner.dry_run:
            return self.tl.now(), time.time(), 0.0, {}
        self.target.prepare_kill(component, victim)
        t_run = self.tl.now()
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=within + 60)
        t_ret = self.tl.now()
        res: dict[str, Any] = {}
        try:
            res = json.loads(p.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            res = {}
        wall_fault = None
        for line in p.stderr.strip().splitlines():
            m = re.match(r"chaos-fault: at (\d+\.\d+):", line)
            if m:
                wall_fault = float(m.group(1))
                continue
            print(f"    probe: {line.removeprefix('probe: ')}", flush=True)
        if wall_fault is None:
            self.target.disarm(victim)  # probe gave up before running the fault
        took = float(res["recovered_s"]) if res.get("outage_observed") and res.get("recovered") else None
        if wall_fault is not None:
            t_fault = wall_fault - self.tl.wall0
        else:
            t_fault = t_run
            wall_fault = self.tl.wall0 + t_run
        t_fault = min(max(t_fault, t_run), t_ret)
        with self.tl.lock:
            self.tl.events.append(
                {
                    "t": round(t_fault, 3),
                    "scenario": name,
                    "kind": "fault",
                    "label": f"kill {component} #{i + 1}",
                    "cmd": shlex.join(fault),
                }
            )
        return t_fault, wall_fault, took, res

    # -- scenario 3
    def api_serves(self, n: int = 3) -> bool:
        """n consecutive OK reads of the task list through the service (a live check)."""
        for _ in range(n):
            if http("GET", self.api_list_url(), headers=self.auth(), timeout=self.cfg.timeout)["outcome"] != "ok":
                return False
            time.sleep(self.cfg.watch_interval)
        return True

    def db_outage(self) -> None:
        name = "db-outage"
        direct = self.target.direct_api_urls()
        for dname, base in direct:
            self.watch(dname, self.api_list_url(base), auth=True)
        self.sleep(0.5)
        t_start = self.tl.now()
        restarts_before = 0 if self.runner.dry_run else self.target.restart_count("backend")
        t_stop = self.tl.event(name, "fault", "database stopped")
        self.target.db_stop(self.runner)
        t_stopped = self.tl.now()
        ready_samples: list[dict[str, Any]] = []
        end = time.monotonic() + self.cfg.db_outage
        while not self.runner.dry_run and time.monotonic() < end:
            ready_samples.append({"t": round(self.tl.now(), 3), "failing": self.target.readiness_failing()})
            time.sleep(min(0.5, max(0.0, end - time.monotonic())))
        t_db_back0 = self.tl.now()
        self.target.db_start(self.runner)
        t_back = self.tl.event(name, "restore", "database back")
        if not self.runner.dry_run:
            took = wait_until(self.api_serves, self.cfg.db_recovery_slo + 20, 0.05)
            print(
                f"    the API serves again {took:.2f} s after the database returned"
                if took is not None
                else "    the API did NOT serve again",
                flush=True,
            )
        restarts_after = 0 if self.runner.dry_run else self.target.restart_count("backend")
        self.sleep(self.cfg.settle)
        for dname, _ in direct:
            self.unwatch(dname)
        t_end = self.tl.now()

        def finish() -> None:
            targets = ["api", "write"] + [d for d, _ in direct]
            served = self.first_streak(["api"], t_back)
            self.tl.window(name, "database down", t_stop, t_back)
            if served is not None:
                self.tl.window(name, "recovering", t_back, served)
                self.tl.events.append(
                    {
                        "t": round(served, 3),
                        "scenario": name,
                        "kind": "recovered",
                        "label": "API serves again",
                        "cmd": "",
                    }
                )
            # what users saw while it was down (after the stop took effect, before the start)
            during = self.tl.select(targets, t_stopped, t_db_back0)
            counts: dict[str, int] = {}
            for r in during:
                counts[r["outcome"]] = counts.get(r["outcome"], 0) + 1
            direct_during = self.tl.select([d for d, _ in direct], t_stopped, t_db_back0) if direct else during
            lat503 = [r["latency_ms"] for r in direct_during if r["outcome"] == "503"]
            first503 = next((r for r in self.tl.select(targets, t_stop, t_back) if r["outcome"] == "503"), None)
            n_timeouts, n503 = counts.get("timeout", 0), counts.get("503", 0)
            p95 = percentile(lat503, 0.95)
            back_s = None if served is None else served - t_back
            ready_failed = any(s["failing"] for s in ready_samples)
            criteria = verdicts.db_outage(
                counts,
                lat503,
                percentile(lat503, 0.5),
                p95,
                [s["failing"] for s in ready_samples],
                (restarts_before, restarts_after),
                back_s,
                self.cfg.fast_503_slo,
                self.cfg.db_recovery_slo,
            )
            by_target: dict[str, dict[str, int]] = {}
            for r in during:
                d = by_target.setdefault(r["target"], {})
                d[r["outcome"]] = d.get(r["outcome"], 0) + 1
            figures = {
                "outage_s": r3(t_back - t_stop),
                "during_outage": counts,
                "during_outage_by_source": by_target,
                "responses_503": n503,
                "timeouts": n_timeouts,
                "first_503_after_s": r3(first503["t"] + first503["latency_ms"] / 1000 - t_stop) if first503 else None,
                "latency_503_ms": {
                    "p50": r3(percentile(lat503, 0.5)),
                    "p95": r3(p95),
                    "max": r3(max(lat503) if lat503 else None),
                },
                "ready_failed": ready_failed,
                "ready_samples": len(ready_samples),
                "restarts_before": restarts_before,
                "restarts_after": restarts_after,
                "served_again_after_s": r3(back_s),
                "direct_backends": [d for d, _ in direct],
            }
            self.verdict(name, criteria, figures, t_start, t_end)

        self.finalizers.append((name, finish))

    # -- scenario 5
    def rolling_update(self) -> None:
        name = "rolling-update"
        if self.target.rolling_skip:
            return self.skip(name, self.target.rolling_skip)
        t_start = self.tl.event(name, "fault", "rolling update starts")
        self.target.rolling_update(self.runner, self.tl)
        t_done = self.tl.event(name, "recovered", "rolling update done")
        self.tl.window(name, "rolling update", t_start, t_done)
        self.sleep(self.cfg.settle)
        t_end = self.tl.now()

        def finish() -> None:
            targets = ["api", "write"] + (["frontend"] if self.target.frontend_url else [])
            av = availability(self.tl.select(targets, t_start, t_end))
            criteria = verdicts.rolling_update(av, "frontend" in targets)
            self.verdict(name, criteria, {"duration_s": r3(t_done - t_start), "availability": av}, t_start, t_end)

        self.finalizers.append((name, finish))

    # -- scenario 4
    def verify_writes(self, t_start: float) -> None:
        name = "no-lost-writes"
        assert self.writer is not None
        # bounded: up to ~30 s per page for the API to answer the read-back
        items = read_all_tasks(self.target.api_url, self.user["id"], self.auth())
        t_end = self.tl.now()
        if items is None:
            self.verdict(
                name,
                [verdicts.criterion("read back every acknowledged task", False, "the task list could not be read")],
                {"acknowledged": len(self.writer.acked), "lost": None, "duplicates": None},
                t_start,
                t_end,
            )
            return
        figures = {"attempted": self.writer.seq, **self.writer.ledger.verify(items, f"chaos {self.run_id} #")}
        self.verdict(name, verdicts.writes(figures), figures, t_start, t_end)

    def wait_steady(self, name: str) -> None:
        """Each scenario starts from a steady stack, every replica ready (Litmus checks its steady
        state the same way): after the database outage the API serves again through the
        connections it kept, but Kubernetes only puts the backend back into its Service at the
        next readiness probe (periodSeconds 5), and a rolling update begun before that has no
        ready endpoint to fall back on. Bounded by RECOVERY_SLO; the scenario runs either way."""
        if self.runner.dry_run or self.target.steady():
            return
        t0 = self.tl.now()
        took = wait_until(self.target.steady, self.cfg.recovery_slo, 0.2)
        if took is None:
            print(f"  not steady after {fmt_duration(self.cfg.recovery_slo)}: some replica is not ready", flush=True)
            return
        self.tl.event(name, "steady", "every replica ready")
        print(f"  waited {took:.2f} s until every replica was ready again", flush=True)
        self.steady_waits[name] = r3(self.tl.now() - t0)

    # -- the whole run
    def run(self, out_dir: str) -> dict[str, Any]:
        self.out_dir = out_dir
        cfg = self.cfg
        print(
            f"chaos: target {self.target.name}, scenarios {', '.join(cfg.scenarios)}"
            + (" (DRY RUN: printing the plan only)" if self.runner.dry_run else ""),
            flush=True,
        )
        t_start = 0.0
        try:
            if not self.runner.dry_run:
                self.private_probe()
            self.target.probe = self.cfg.probe
            self.target.setup(self.runner)
            print(f"  API {self.target.api_url}; frontend {self.target.frontend_url or '-'}", flush=True)
            # time 0 of the report is when the traffic starts, not when the stack was being set up
            self.tl.t0, self.tl.wall0 = time.monotonic(), time.time()
            self.load_before = os.getloadavg()
            if self.runner.dry_run:
                self.user = {"id": "<user>", "token": "<token>"}
                print(
                    f"  traffic: {'probe watch' if self.measure == 'probe' else 'a watcher'} GETs /api/<user>/tasks "
                    f"every {fmt_duration(cfg.watch_interval)}"
                    + (
                        f", and {env('CHAOS_FRONTEND_PATH', '/signin')} on the frontend"
                        if self.target.frontend_url
                        else ""
                    )
                    + f", POST a task every {fmt_duration(cfg.write_interval)}"
                    + (
                        f", `probe load` on /health with {cfg.load_concurrency} connections"
                        if cfg.load_concurrency > 0
                        else ""
                    ),
                    flush=True,
                )
            else:
                self.start_traffic()
                self.sleep(cfg.settle)
            t_start = self.tl.now()
            steps: list[tuple[str, Callable[[], None]]] = [
                ("backend-pod-kill", lambda: self.pod_kill("backend")),
                ("frontend-pod-kill", lambda: self.pod_kill("frontend")),
                ("db-outage", self.db_outage),
                ("rolling-update", self.rolling_update),
            ]
            for sname, fn in steps:
                if sname not in cfg.scenarios:
                    continue
                print(f"\n== {sname}", flush=True)
                try:
                    self.wait_steady(sname)
                    fn()
                except Exception as e:  # noqa: BLE001 - one broken scenario must not hide the others
                    print(f"  error: {e}", flush=True)
                    self.results[sname] = {
                        "verdict": "fail",
                        "reason": f"error: {e}",
                        "criteria": [{"name": "scenario ran", "ok": False, "detail": str(e)[:300]}],
                        "figures": {},
                    }
        finally:
            if not self.runner.dry_run:
                self.stop_traffic()
            self.cleanup()
        # figures come from the complete timeline (probe watch hands its records over at the end)
        for sname, fin in self.finalizers:
            try:
                fin()
            except Exception as e:  # noqa: BLE001
                self.results[sname] = {
                    "verdict": "fail",
                    "reason": f"error: {e}",
                    "criteria": [{"name": "figures computed", "ok": False, "detail": str(e)[:300]}],
                    "figures": {},
                }
        if "no-lost-writes" in cfg.scenarios:
            print("\n== no-lost-writes (read back every acknowledged task)", flush=True)
            if self.runner.dry_run:
                print(
                    f"  a writer POSTs /api/<user>/tasks every {fmt_duration(cfg.write_interval)} through every "
                    "scenario; at the end GET /api/<user>/tasks?status=all must list each 201 exactly once",
                    flush=True,
                )
            else:
                self.verify_writes(t_start)
        return self.report()

    def report(self) -> dict[str, Any]:
        with self.tl.lock:
            records = list(self.tl.records)
        overall = availability([r for r in records if r["target"] in ("api", "frontend", "write")])
        verdicts = [r["verdict"] for r in self.results.values()]
        rep: dict[str, Any] = {
            "run_id": self.run_id,
            "started_at": dt.datetime.fromtimestamp(self.tl.wall0, dt.UTC).isoformat(timespec="seconds"),
            "duration_s": r3(self.tl.now()),
            "target": self.target.describe(),
            "config": self.cfg.as_dict(),
            "dry_run": self.runner.dry_run,
            "host": {
                "cpus": os.cpu_count(),
                "loadavg_1m_start": round(getattr(self, "load_before", (0,))[0], 2),
                "loadavg_1m_end": round(os.getloadavg()[0], 2),
            },
            "measured_by": (
                "probe watch (one per URL, every probe recorded; the writer is python3 -m chaos)"
                if self.measure == "probe"
                else "python3 -m chaos watcher threads (CHAOS_MEASURE=python); every request recorded"
            ),
            "passed": bool(verdicts) and all(v != "fail" for v in verdicts),
            "scenarios": {k: self.results[k] for k in SCENARIOS if k in self.results},
            "overall": overall,
            "events": self.tl.events,
            "windows": self.tl.windows,
            "spans": self.tl.scenario_spans,
            "steady_waits_s": self.steady_waits,
        }
        nlw = self.results.get("no-lost-writes", {}).get("figures", {})
        rep["acknowledged"] = nlw.get("acknowledged")
        rep["lost"] = nlw.get("lost")
        if self.load_json and os.path.exists(self.load_json):
            try:
                rep["load"] = json.loads(Path(self.load_json).read_text() or "null")
            except ValueError:
                rep["load"] = {"raw": Path(self.load_json).read_text()[:2000]}
        rep["_records"] = records
        return rep


def run_chaos(target: Target, cfg: Config, out_root: str) -> int:
    """Runs every scenario against target and writes the report; the exit status."""
    runner = Runner(cfg.dry_run)
    chaos = Chaos(cfg, target, runner)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out_dir = os.path.join(out_root, stamp + ("-dry-run" if cfg.dry_run else ""))
    os.makedirs(out_dir, exist_ok=True)
    try:
        rep = chaos.run(out_dir)
    except BaseException:
        shutil.rmtree(out_dir, ignore_errors=True)  # nothing measured: no half report
        raise
    if cfg.dry_run:
        os.rmdir(out_dir)
        print("\nDRY RUN: the plan above was printed; nothing was started, killed or measured.")
        return 0
    report_mod.write_report(out_dir, rep)
    latest = os.path.join(out_root, "latest")
    try:
        if os.path.islink(latest):
            os.unlink(latest)
        os.symlink(os.path.basename(out_dir), latest)
    except OSError:
        pass
    print()
    print(report_mod.summary_text(rep, out_dir), flush=True)
    return 0 if rep["passed"] or cfg.dry_run else 1


def add_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--target", default=env("CHAOS_TARGET", "auto"), choices=["auto", "k8s", "helm", "compose"])
    ap.add_argument("--out", default=env("CHAOS_OUT", "build/chaos"))


def main(args: argparse.Namespace) -> int:
    cfg = from_env("chaos")
    if cfg is None:
        return 2
    flavour = args.target
    if flavour == "auto":
        flavour = detect_target()
        if not flavour:
            if not cfg.dry_run:
                print(
                    "chaos: nothing is running (no Helm release, no manifests, no Compose stack in "
                    f"namespace {env('NAMESPACE', 'todo')}); start one or set CHAOS_TARGET",
                    file=sys.stderr,
                )
                return 2
            flavour = "helm"
            print("chaos: nothing running detected; planning for CHAOS_TARGET=helm", flush=True)
    target: Target = ComposeTarget() if flavour == "compose" else KubeTarget(flavour)
    try:
        return run_chaos(target, cfg, args.out)
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        print(f"chaos: {e}", file=sys.stderr)
        return 2
    finally:
        target.teardown()
