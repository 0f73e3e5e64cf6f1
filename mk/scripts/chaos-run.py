#!/usr/bin/env python3
"""chaos-run: kill parts of the running stack under load, measure recovery, prove no write was lost.

    chaos-run.py [--target auto|k8s|helm|compose] [--out build/chaos]

Scenarios (each gets a verdict and figures): backend-pod-kill, frontend-pod-kill, db-outage,
rolling-update, and no-lost-writes (a writer that runs through all of them). The measuring,
the verdicts and the report are the same for every target; only the fault commands differ
(a target is a small class: kubectl/helm, docker compose, or the native stand-in in
chaos-native.py). Every fault command is printed before it runs; CHAOS_DRY_RUN=1 prints the
plan only and touches nothing.

Knobs (environment): CHAOS_ROUNDS (5), CHAOS_INTERVAL (10s), RECOVERY_SLO (30s), DB_OUTAGE (10s),
DB_RECOVERY_SLO (10s), CHAOS_503_SLO (1s), CHAOS_AVAILABILITY_SLO (99), CHAOS_SCENARIOS (all),
CHAOS_WATCH_INTERVAL (100ms), CHAOS_WRITE_INTERVAL (200ms), CHAOS_TIMEOUT (2s),
CHAOS_LOAD_CONCURRENCY (2), CHAOS_DRY_RUN, PROBE (build/bin/probe), and for clusters
NAMESPACE, RELEASE, CHAOS_API_URL, CHAOS_FRONTEND_URL, CHAOS_BACKEND_DEPLOYMENT, ...
(see docs/chaos.md).

Exit status: 0 when every scenario passed (a skipped one says why), 1 when one failed, 2 on a
usage or setup error.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import importlib.util
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
SCENARIOS = ["backend-pod-kill", "frontend-pod-kill", "db-outage", "rolling-update", "no-lost-writes"]


# ---------------------------------------------------------------- small helpers


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
    ms = int(round(seconds * 1000))
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
    k = max(0, min(len(s) - 1, int(round(q * (len(s) - 1)))))
    return s[k]


def r3(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


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


# ---------------------------------------------------------------- HTTP and the timeline


def http(
    method: str, url: str, body: Any = None, headers: dict[str, str] | None = None, timeout: float = 2.0
) -> dict[str, Any]:
    """One request. Returns status (0 when none), outcome (ok, 503, http_<code>, timeout,
    conn_error), latency_ms, error, body (bytes) and the Retry-After header."""
    data = None
    hdrs = dict(headers or {})
    if body is not None:
        data = json.dumps(body).encode()
        hdrs["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
    start = time.monotonic()
    res: dict[str, Any] = {"status": 0, "error": "", "body": b"", "retry_after": None}
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            res["body"] = resp.read()
            res["status"] = resp.status
    except urllib.error.HTTPError as e:
        res["status"] = e.code
        res["retry_after"] = e.headers.get("Retry-After")
        try:
            res["body"] = e.read()
        except Exception:  # noqa: BLE001 - the status is what matters
            pass
    except (TimeoutError, socket.timeout) as e:
        res["error"] = f"timeout: {e}"
    except urllib.error.URLError as e:
        reason = e.reason
        res["error"] = f"{type(reason).__name__}: {reason}"
        if isinstance(reason, (TimeoutError, socket.timeout)):
            res["error"] = f"timeout: {reason}"
    except (ConnectionError, OSError) as e:
        res["error"] = f"{type(e).__name__}: {e}"
    res["latency_ms"] = (time.monotonic() - start) * 1000.0
    st = res["status"]
    if 200 <= st < 300:
        res["outcome"] = "ok"
    elif st == 503:
        res["outcome"] = "503"
    elif st:
        res["outcome"] = f"http_{st}"
    elif res["error"].startswith("timeout"):
        res["outcome"] = "timeout"
    else:
        res["outcome"] = "conn_error"
    return res


class Timeline:
    """Every request made during the run, in time order per target (thread-safe)."""

    def __init__(self) -> None:
        self.t0 = time.monotonic()
        self.wall0 = time.time()
        self.lock = threading.Lock()
        self.records: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.windows: list[dict[str, Any]] = []
        self.scenario_spans: list[dict[str, Any]] = []

    def now(self) -> float:
        return time.monotonic() - self.t0

    def add(self, target: str, method: str, t_sched: float, t_start: float, res: dict[str, Any]) -> None:
        rec = {
            "t": round(t_start, 4),
            "scheduled": round(t_sched, 4),
            "target": target,
            "method": method,
            "status": res["status"],
            "outcome": res["outcome"],
            "latency_ms": round(res["latency_ms"], 2),
            "error": res["error"][:160],
        }
        with self.lock:
            self.records.append(rec)

    def event(self, scenario: str, kind: str, label: str, cmd: str = "") -> float:
        t = self.now()
        with self.lock:
            self.events.append({"t": round(t, 3), "scenario": scenario, "kind": kind, "label": label, "cmd": cmd})
        return t

    def window(self, scenario: str, label: str, t0: float, t1: float) -> None:
        with self.lock:
            self.windows.append({"scenario": scenario, "label": label, "t0": round(t0, 3), "t1": round(t1, 3)})

    def select(self, targets: list[str], t0: float, t1: float) -> list[dict[str, Any]]:
        with self.lock:
            return [r for r in self.records if r["target"] in targets and t0 <= r["t"] <= t1]


def availability(records: list[dict[str, Any]]) -> dict[str, Any]:
    total = len(records)
    ok = sum(1 for r in records if r["outcome"] == "ok")
    by: dict[str, int] = {}
    for r in records:
        by[r["outcome"]] = by.get(r["outcome"], 0) + 1
    lat = [r["latency_ms"] for r in records if r["outcome"] == "ok"]
    return {
        "requests": total,
        "ok": ok,
        "failed": total - ok,
        "availability_pct": round(100.0 * ok / total, 3) if total else None,
        "outcomes": by,
        "latency_ms": {
            "p50": r3(percentile(lat, 0.5)),
            "p95": r3(percentile(lat, 0.95)),
            "p99": r3(percentile(lat, 0.99)),
            "max": r3(max(lat) if lat else None),
        },
    }


class Paced(threading.Thread):
    """Calls tick(scheduled) every interval (timeline seconds) until stopped. A tick slower
    than the interval skips the slots it overlapped: no burst afterwards."""

    def __init__(self, tl: Timeline, name: str, interval: float) -> None:
        super().__init__(daemon=True, name=name)
        self.tl, self.interval = tl, interval
        self.stop_ev = threading.Event()

    def tick(self, scheduled: float) -> None:
        raise NotImplementedError

    def run(self) -> None:
        nxt = self.tl.now()
        while not self.stop_ev.is_set():
            self.tick(nxt)
            nxt += self.interval
            now = self.tl.now()
            while nxt < now:
                nxt += self.interval
            self.stop_ev.wait(max(0.0, nxt - now))

    def stop(self) -> None:
        self.stop_ev.set()


class Watcher(Paced):
    """Probes one URL every interval until stopped (what `probe watch` does), into the timeline."""

    def __init__(
        self, tl: Timeline, name: str, url: str, interval: float, timeout: float, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(tl, f"watch-{name}", interval)
        self.name_, self.url, self.timeout = name, url, timeout
        self.headers = headers or {}

    def tick(self, scheduled: float) -> None:
        start = self.tl.now()
        res = http("GET", self.url, headers=self.headers, timeout=self.timeout)
        self.tl.add(self.name_, "GET", scheduled, start, res)


class ProbeWatcher:
    """`probe watch URL --csv FILE` in the background until stopped (SIGINT); its records
    (scheduled time, latency, status, error class) join the timeline when it ends."""

    def __init__(
        self,
        tl: Timeline,
        probe: str,
        name: str,
        url: str,
        interval: float,
        timeout: float,
        headers: dict[str, str] | None,
        out_dir: str,
        runner: "Runner",
    ) -> None:
        self.tl, self.name_, self.out_dir = tl, name, out_dir
        self.csv = os.path.join(out_dir, "probe", f"watch-{name}.csv")
        self.summary = os.path.join(out_dir, "probe", f"watch-{name}.txt")
        os.makedirs(os.path.dirname(self.csv), exist_ok=True)
        self.cmd = [
            probe,
            "watch",
            url,
            "--interval",
            fmt_duration(interval),
            "--timeout",
            fmt_duration(timeout),
            "--csv",
            self.csv,
        ]
        self.header_files: list[str] = []
        for i, (k, v) in enumerate((headers or {}).items()):
            # a header file keeps the token out of `ps` and of the printed command
            hf = os.path.join(out_dir, f".header-{name}-{i}")
            fd = os.open(hf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(f"{k}: {v}\n")
            self.header_files.append(hf)
            self.cmd += ["--header", "@" + hf]
        self.runner = runner
        self.proc: subprocess.Popen[bytes] | None = None
        self.t_start = 0.0

    def start(self) -> None:
        self.runner.show(self.cmd, f"records every probe ({self.name_})")
        out = open(self.summary, "wb")  # noqa: SIM115 - the child owns it
        self.t_start = self.tl.now()
        self.proc = subprocess.Popen(self.cmd, stdout=out, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        out.close()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)

    def join(self, timeout: float | None = None) -> None:
        if not self.proc:
            return
        try:
            self.proc.wait(timeout=max(5.0, timeout or 0))
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for hf in self.header_files:
            try:
                os.unlink(hf)
            except OSError:
                pass
        self.header_files = []
        if not os.path.exists(self.csv):
            raise RuntimeError(f"probe watch wrote no {self.csv} (exit {self.proc.returncode})")
        with open(self.csv, newline="") as f:
            for row in csv.DictReader(f):
                status = int(row["status"] or 0)
                err = row.get("error", "") or ""
                res = {"status": status, "latency_ms": float(row["latency_ms"]), "error": err}
                if row["ok"] == "1":
                    res["outcome"] = "ok"
                elif status == 503:
                    res["outcome"] = "503"
                elif status:
                    res["outcome"] = f"http_{status}"
                elif err == "timeout":
                    res["outcome"] = "timeout"
                else:
                    res["outcome"] = "conn_error"
                t = self.t_start + float(row["scheduled_s"])
                self.tl.add(self.name_, "GET", t, t, res)
        self.proc = None


class Writer(Paced):
    """Creates tasks with unique titles continuously; remembers every create that was acknowledged."""

    def __init__(
        self, tl: Timeline, api: str, user_id: str, token: str, run_id: str, interval: float, timeout: float
    ) -> None:
        super().__init__(tl, "writer", interval)
        self.run_id, self.timeout = run_id, timeout
        self.url = f"{api}/api/{user_id}/tasks"
        self.headers = {"Authorization": f"Bearer {token}"}
        self.acked: dict[str, int] = {}  # title -> id from the 201
        self.unacked: list[str] = []  # failed or timed out: may or may not exist
        self.seq = 0

    def tick(self, scheduled: float) -> None:
        self.seq += 1
        title = f"chaos {self.run_id} #{self.seq:06d}"
        start = self.tl.now()
        res = http(
            "POST",
            self.url,
            body={"title": title, "description": "chaos-test write"},
            headers=self.headers,
            timeout=self.timeout,
        )
        self.tl.add("write", "POST", scheduled, start, res)
        if res["status"] == 201:
            try:
                self.acked[title] = int(json.loads(res["body"])["id"])
            except (ValueError, KeyError, TypeError):
                self.acked[title] = -1
        else:
            self.unacked.append(title)


# ---------------------------------------------------------------- commands


class Runner:
    """Prints every command before it runs (or instead of running it, in a dry run)."""

    def __init__(self, dry_run: bool) -> None:
        self.dry_run = dry_run

    def show(self, cmd: list[str] | str, note: str = "") -> str:
        text = cmd if isinstance(cmd, str) else shlex.join(cmd)
        print(f"  $ {text}" + (f"    # {note}" if note else ""), flush=True)
        return text

    def run(
        self, cmd: list[str], note: str = "", check: bool = True, timeout: float = 300, quiet: bool = False
    ) -> subprocess.CompletedProcess[str] | None:
        if not quiet:
            self.show(cmd, note)
        if self.dry_run:
            return None
        p = subprocess.run(cmd, text=True, capture_output=True, timeout=timeout)
        if check and p.returncode != 0:
            raise RuntimeError(f"command failed ({p.returncode}): {shlex.join(cmd)}\n{p.stderr.strip()[-800:]}")
        return p

    @staticmethod
    def output(cmd: list[str], timeout: float = 30) -> str:
        """Read-only queries (kubectl get ...): not printed, run even in a dry run by callers that want it."""
        p = subprocess.run(cmd, text=True, capture_output=True, timeout=timeout)
        if p.returncode != 0:
            raise RuntimeError(f"{shlex.join(cmd)}: {p.stderr.strip()[-400:]}")
        return p.stdout


def wait_until(pred: Callable[[], bool], within: float, interval: float = 0.1) -> float | None:
    """Polls pred until true; the seconds it took, or None after `within` (bounded)."""
    start = time.monotonic()
    while True:
        try:
            if pred():
                return time.monotonic() - start
        except Exception:  # noqa: BLE001 - a failing check is a "not yet"
            pass
        if time.monotonic() - start > within:
            return None
        time.sleep(interval)


class Probe:
    """build/bin/probe when it has the subcommand, for the load generator; else None."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.has: dict[str, bool] = {}

    def supports(self, sub: str) -> bool:
        if sub not in self.has:
            ok = False
            if os.access(self.path, os.X_OK):
                try:
                    p = subprocess.run([self.path, sub, "--help"], capture_output=True, timeout=5)
                    ok = p.returncode == 0
                except (OSError, subprocess.TimeoutExpired):
                    ok = False
            self.has[sub] = ok
        return self.has[sub]


# ---------------------------------------------------------------- targets


class Target:
    """What differs between Kubernetes, Compose and the native stand-in: how to reach the app
    and how to break it. Subclasses fill these in."""

    name = "abstract"
    api_url = ""
    frontend_url: str | None = None
    frontend_skip = ""
    db_skip = ""
    rolling_skip = ""

    def setup(self, runner: Runner) -> None: ...
    def teardown(self) -> None: ...
    def replicas(self, component: str) -> list[str]:
        raise NotImplementedError

    def kill(self, runner: Runner, component: str, replica: str) -> None:
        raise NotImplementedError

    def replica_back(self, component: str, replica: str) -> bool:
        raise NotImplementedError

    def restart_count(self, component: str) -> int:
        raise NotImplementedError

    def readiness_failing(self) -> bool:
        raise NotImplementedError

    def db_stop(self, runner: Runner) -> None:
        raise NotImplementedError

    def db_start(self, runner: Runner) -> None:
        raise NotImplementedError

    def rolling_update(self, runner: Runner, tl: Timeline) -> None:
        raise NotImplementedError

    def recover_plan(self, component: str, replica: str) -> tuple[str, list[str]] | None:
        """(a URL answered by that replica alone, the fault's argv) when `probe recover` can time
        the round; None when the replica has no URL of its own (Kubernetes pods: polled instead)."""
        return None

    def prepare_kill(self, component: str, replica: str) -> None:
        """Called just before `probe recover` runs the fault."""

    def disarm(self, replica: str) -> None:
        """The fault did not run after all (probe gave up before it)."""

    def kill_details(self, replica: str, t_kill: float) -> dict[str, Any]:
        """Extra per-round figures a target knows (the native one: exit and restart times)."""
        return {}

    def direct_api_urls(self) -> list[tuple[str, str]]:
        """Backends reached directly, bypassing the load balancer (to see the app's own 503s)."""
        return []

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "api_url": self.api_url, "frontend_url": self.frontend_url}


class KubeTarget(Target):
    """Plain manifests (k8s) or the chart (helm): kubectl delete pod, scale the StatefulSet,
    kubectl rollout restart (or CHAOS_UPGRADE_CMD, e.g. a helm upgrade)."""

    def __init__(self, flavour: str) -> None:
        self.name = flavour
        self.ns = env("NAMESPACE", "todo")
        # the chart's names (helm create's fullname: RELEASE-todo-app unless the release contains
        # it); k8s/ is the chart rendered with release "todo", so the same rule holds there
        self.rel = rel = env("RELEASE", "todo")
        full = rel if "todo-app" in rel else f"{rel}-todo-app"
        self.deploy = {
            "backend": env("CHAOS_BACKEND_DEPLOYMENT", f"{full}-backend"),
            "frontend": env("CHAOS_FRONTEND_DEPLOYMENT", f"{full}-frontend"),
        }
        self.selector = {
            c: env(f"CHAOS_{c.upper()}_SELECTOR", f"app.kubernetes.io/component={c},app.kubernetes.io/instance={rel}")
            for c in ("backend", "frontend", "postgresql")
        }
        self.db_sts = env("CHAOS_DB_STATEFULSET", f"{full}-postgresql")
        self.frontend_svc = env("CHAOS_FRONTEND_SERVICE", f"{full}-frontend")
        self.upgrade_cmd = env("CHAOS_UPGRADE_CMD", "")
        self.chart = env("CHART", "helm/todo-app")
        self.api_url = env("CHAOS_API_URL", "")
        self.frontend_url = env("CHAOS_FRONTEND_URL", "") or None
        self.killed: dict[str, set[str]] = {"backend": set(), "frontend": set()}
        self.desired: dict[str, int] = {}
        self.seen_pods: dict[str, set[str]] = {}

    def k(self, *args: str) -> list[str]:
        return ["kubectl", "-n", self.ns, *args]

    def setup(self, runner: Runner) -> None:
        if runner.dry_run:
            self.api_url = self.api_url or "http://<node>:<frontend-nodeport>"
            self.frontend_url = self.frontend_url or self.api_url
            return
        if not self.api_url:
            # The user-facing door: the frontend's NodePort (it proxies /api/* to the backend
            # Service, so every request crosses the Service's load balancing).
            port = Runner.output(
                self.k("get", "svc", self.frontend_svc, "-o", "jsonpath={.spec.ports[0].nodePort}")
            ).strip()
            if not port:
                raise RuntimeError(
                    f"service {self.frontend_svc} has no NodePort: set CHAOS_API_URL "
                    "(e.g. an Ingress URL or `minikube service --url`)"
                )
            host = "127.0.0.1"
            ctx = Runner.output(["kubectl", "config", "current-context"]).strip()
            if ctx.startswith("minikube") and shutil.which("minikube"):
                host = Runner.output(["minikube", "ip"]).strip()
            self.api_url = f"http://{host}:{port}"
        self.frontend_url = self.frontend_url or self.api_url
        for c in ("backend", "frontend"):
            self.desired[c] = int(
                Runner.output(self.k("get", "deploy", self.deploy[c], "-o", "jsonpath={.spec.replicas}")).strip() or "1"
            )

    def pods(self, component: str) -> list[dict[str, Any]]:
        out = Runner.output(self.k("get", "pods", "-l", self.selector[component], "-o", "json"))
        return json.loads(out)["items"]

    def replicas(self, component: str) -> list[str]:
        if not self.desired:
            return [f"<{component}-pod>"] * 2
        return [p["metadata"]["name"] for p in self.pods(component) if not p["metadata"].get("deletionTimestamp")]

    def kill(self, runner: Runner, component: str, replica: str) -> None:
        self.killed[component].add(replica)
        runner.run(self.k("delete", "pod", replica, "--wait=false"), f"kill one {component} pod")

    def replica_back(self, component: str, replica: str) -> bool:
        ready = 0
        for p in self.pods(component):
            if p["metadata"]["name"] in self.killed[component] or p["metadata"].get("deletionTimestamp"):
                continue
            conds = {c["type"]: c["status"] for c in p.get("status", {}).get("conditions", [])}
            ready += conds.get("Ready") == "True"
        return ready >= self.desired.get(component, 1)

    def restart_count(self, component: str) -> int:
        """Container restarts plus pods seen so far (a replaced pod counts as a restart)."""
        total = 0
        seen = self.seen_pods.setdefault(component, set())
        for p in self.pods(component):
            seen.add(p["metadata"]["name"])
            for cs in p.get("status", {}).get("containerStatuses", []):
                total += int(cs.get("restartCount", 0))
        return total + len(seen)

    def readiness_failing(self) -> bool:
        for p in self.pods("backend"):
            conds = {c["type"]: c["status"] for c in p.get("status", {}).get("conditions", [])}
            if conds.get("Ready") == "True":
                return False
        return True

    def db_stop(self, runner: Runner) -> None:
        runner.run(self.k("scale", "statefulset", self.db_sts, "--replicas=0"), "database down")
        runner.run(
            self.k("wait", "--for=delete", "pod", "-l", self.selector["postgresql"], "--timeout=60s"),
            "until it is gone",
            check=False,
        )

    def db_start(self, runner: Runner) -> None:
        runner.run(self.k("scale", "statefulset", self.db_sts, "--replicas=1"), "database back")
        runner.run(self.k("rollout", "status", f"statefulset/{self.db_sts}", "--timeout=120s"), "until ready")

    def rolling_update(self, runner: Runner, tl: Timeline) -> None:
        if self.upgrade_cmd:
            runner.run(shlex.split(self.upgrade_cmd), "rolling update (CHAOS_UPGRADE_CMD)", timeout=600)
        elif self.name == "helm":
            # same values, one new pod annotation: Helm rolls the backend like a real upgrade
            stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
            runner.run(
                [
                    "helm",
                    "upgrade",
                    self.rel,
                    self.chart,
                    "-n",
                    self.ns,
                    "--reuse-values",
                    "--set-string",
                    f"backend.podAnnotations.chaos-rollout={stamp}",
                    "--wait",
                    "--timeout",
                    "5m",
                ],
                "rolling update through Helm",
                timeout=320,
            )
        else:
            runner.run(self.k("rollout", "restart", f"deployment/{self.deploy['backend']}"), "rolling update")
        runner.run(
            self.k("rollout", "status", f"deployment/{self.deploy['backend']}", "--timeout=300s"),
            "until every new pod is ready",
            timeout=320,
        )


class ComposeTarget(Target):
    """docker compose: crash a service's main process and let Docker's restart policy bring it
    back. When the engine runs on this machine (the container's main process is visible here,
    checked through its cgroup), the process is killed directly: a real crash. Otherwise (Docker
    Desktop's VM, a remote engine) `docker kill` then `docker start` of that one container stand
    in for it, since Docker does not apply the restart policy to a container killed through its
    API (moby#26087); printed like every fault command. Only the victim container is started:
    never `compose start`, which would also re-run the one-shot migrate service."""

    name = "compose"

    def __init__(self) -> None:
        self.dc = shlex.split(env("COMPOSE", "docker compose"))
        self.api_url = env("CHAOS_API_URL", f"http://127.0.0.1:{env('BACKEND_PORT', '8000')}")
        self.frontend_url = env("CHAOS_FRONTEND_URL", f"http://127.0.0.1:{env('FRONTEND_PORT', '3000')}")
        self.restart_delay = parse_duration(env("CHAOS_RESTART_DELAY", "1s"))
        self.rolling_skip = "Compose has no rolling update (one container per service); use k8s or helm"
        self.dry = False
        self.db_cid = "postgres"
        self.starts: dict[str, set[str]] = {}

    def setup(self, runner: Runner) -> None:
        self.dry = runner.dry_run

    def cid(self, component: str) -> str:
        return Runner.output([*self.dc, "ps", "-q", component]).strip()

    def replicas(self, component: str) -> list[str]:
        return [component] if self.dry else [c for c in self.cid(component).split() if c]

    def crash_command(self, component: str) -> list[str]:
        """The fault: kill -KILL of the container's main process when it is a process of this
        machine, else docker kill + docker start of the container (see the class comment)."""
        cid = component if self.dry else self.cid(component)
        if not self.dry:
            pid = Runner.output(["docker", "inspect", "-f", "{{.State.Pid}}", cid]).strip()
            try:
                local = pid.isdigit() and int(pid) > 0 and cid in Path(f"/proc/{pid}/cgroup").read_text()
            except OSError:
                local = False
            if local:
                return ["kill", "-KILL", pid]
        return ["sh", "-c", f"docker kill -s KILL {cid} && sleep {self.restart_delay:g} && docker start {cid}"]

    def kill(self, runner: Runner, component: str, replica: str) -> None:
        runner.run(self.crash_command(component), f"crash the {component} container's main process")

    def recover_plan(self, component: str, replica: str) -> tuple[str, list[str]] | None:
        url = f"{self.api_url}/ready" if component == "backend" else f"{self.frontend_url}/api/healthz"
        return url, self.crash_command(component)

    def replica_back(self, component: str, replica: str) -> bool:
        # the old container is gone (killed, then started again): a ready answer is the new one
        url = f"{self.api_url}/ready" if component == "backend" else f"{self.frontend_url}/api/healthz"
        return http("GET", url, timeout=2)["outcome"] == "ok"

    def restart_count(self, component: str) -> int:
        """Docker's restarts plus container starts seen so far (StartedAt changes on any start)."""
        rc, started = Runner.output(
            ["docker", "inspect", "-f", "{{.RestartCount}} {{.State.StartedAt}}", self.cid(component)]
        ).split()
        seen = self.starts.setdefault(component, set())
        seen.add(started)
        return int(rc) + len(seen)

    def readiness_failing(self) -> bool:
        return http("GET", f"{self.api_url}/ready", timeout=2)["outcome"] != "ok"

    # The database container itself, by id: `compose stop/start postgres` would also stop the
    # services that depend on it, or start the one-shot migrate again.
    def db_stop(self, runner: Runner) -> None:
        self.db_cid = "postgres" if self.dry else self.cid("postgres")
        runner.run(["docker", "stop", self.db_cid], "database down")

    def db_start(self, runner: Runner) -> None:
        runner.run(["docker", "start", self.db_cid], "database back")
        if not runner.dry_run:
            wait_until(
                lambda: (
                    Runner.output(["docker", "inspect", "-f", "{{.State.Health.Status}}", self.db_cid]).strip()
                    == "healthy"
                ),
                60,
                0.2,
            )

    def rolling_update(self, runner: Runner, tl: Timeline) -> None:
        raise RuntimeError(self.rolling_skip)


# ---------------------------------------------------------------- scenarios


class Chaos:
    """Runs the scenarios against one target and collects every figure."""

    def __init__(self, cfg: Config, target: Target, runner: Runner) -> None:
        self.cfg, self.target, self.runner = cfg, target, runner
        self.tl = Timeline()
        self.results: dict[str, dict[str, Any]] = {}
        self.watchers: dict[str, Watcher] = {}
        self.writer: Writer | None = None
        self.user: dict[str, str] = {}
        self.run_id = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}"
        self.load_proc: subprocess.Popen[bytes] | None = None
        self.load_json = ""
        self.finalizers: list[tuple[str, Callable[[], None]]] = []
        want = env("CHAOS_MEASURE", "auto")  # auto, probe or python
        has_probe = Probe(cfg.probe).supports("watch")
        if want == "probe" and not has_probe:
            raise RuntimeError(f"CHAOS_MEASURE=probe but {cfg.probe} has no `watch` (make tools)")
        self.measure = "probe" if (want == "auto" and has_probe) or want == "probe" else "python"

    # -- helpers
    def api_list_url(self, base: str | None = None) -> str:
        return f"{base or self.target.api_url}/api/{self.user['id']}/tasks?status=all"

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.user['token']}"}

    def watch(self, name: str, url: str, auth: bool = False, interval: float | None = None) -> None:
        """Records every probe of url: `probe watch` when build/bin/probe has it, else a thread."""
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
        best = None
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
        """Steady background load: `probe load` on /health when probe has it (figures kept)."""
        probe = Probe(self.cfg.probe)
        if self.cfg.load_concurrency <= 0 or not probe.supports("load"):
            return
        self.load_json = str(Path(self.out_dir) / "load.json")
        cmd = [
            probe.path,
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

    def cleanup(self) -> None:
        d = getattr(self, "probe_copy_dir", "")
        if d:
            shutil.rmtree(d, ignore_errors=True)

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
            return self.skip(name, self.target.frontend_skip or "no frontend to reach")
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
            if plan and Probe(self.cfg.probe).supports("recover"):
                t_fault, wall_kill, took, recover = self.probe_recover(name, component, i, plan, within)
            else:
                t_fault = self.tl.event(name, "fault", f"kill {component} #{i + 1}")
                wall_kill = time.time()
                self.target.kill(self.runner, component, victim)
                took = (
                    0.0
                    if self.runner.dry_run
                    else wait_until(lambda victim=victim: self.target.replica_back(component, victim), within, 0.1)
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
            criteria = [
                {
                    "name": f"every round recovered within {fmt_duration(self.cfg.recovery_slo)}",
                    "ok": all(x is not None and x <= self.cfg.recovery_slo for x in rec),
                    "detail": "rounds: " + ", ".join("-" if x is None else f"{x:.2f}s" for x in rec),
                }
            ]
            if nrep >= 2:
                a = av["availability_pct"]
                criteria.append(
                    {
                        "name": f"availability >= {self.cfg.availability_slo:g}% with {nrep} replicas",
                        "ok": a is not None and a >= self.cfg.availability_slo,
                        "detail": f"{a}% ({av['failed']} of {av['requests']} requests failed)",
                    }
                )
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
        stamp = os.path.relpath(HERE / "chaos-fault.sh")  # prints the fault's start time, then execs it
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
        if self.target.db_skip:
            return self.skip(name, self.target.db_skip)
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
            other = sum(v for k, v in counts.items() if k not in ("503", "timeout", "conn_error", "ok"))
            criteria = [
                {
                    "name": "the API answered 503, not timeouts",
                    "ok": n503 > 0 and n_timeouts == 0,
                    "detail": f"{n503} x 503, {n_timeouts} timeouts, {counts.get('conn_error', 0)} connection errors, "
                    f"{counts.get('ok', 0)} ok, {other} other",
                },
                {
                    "name": f"503s were fast (p95 <= {fmt_duration(self.cfg.fast_503_slo)})",
                    "ok": p95 is not None and p95 / 1000 <= self.cfg.fast_503_slo,
                    "detail": f"p50 {percentile(lat503, 0.5) or 0:.0f} ms, p95 {p95 or 0:.0f} ms, "
                    f"max {max(lat503) if lat503 else 0:.0f} ms",
                },
                {
                    "name": "/ready failed",
                    "ok": ready_failed,
                    "detail": f"{sum(s['failing'] for s in ready_samples)} of {len(ready_samples)} readiness samples failing",
                },
                {
                    "name": "no backend restarted",
                    "ok": restarts_after == restarts_before,
                    "detail": f"restarts before {restarts_before}, after {restarts_after}",
                },
                {
                    "name": f"served again within {fmt_duration(self.cfg.db_recovery_slo)} of the database returning",
                    "ok": back_s is not None and back_s <= self.cfg.db_recovery_slo,
                    "detail": "never" if back_s is None else f"{back_s:.2f} s",
                },
            ]
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
            criteria = [
                {
                    "name": "zero failed requests",
                    "ok": av["failed"] == 0 and av["requests"] > 0,
                    "detail": f"{av['failed']} of {av['requests']} requests failed (reads, writes"
                    + (", frontend)" if "frontend" in targets else ")"),
                }
            ]
            self.verdict(name, criteria, {"duration_s": r3(t_done - t_start), "availability": av}, t_start, t_end)

        self.finalizers.append((name, finish))

    # -- scenario 4
    def verify_writes(self, t_start: float) -> None:
        name = "no-lost-writes"
        assert self.writer is not None
        acked = dict(self.writer.acked)
        body = None
        for _ in range(60):  # bounded: up to ~30 s for the API to answer the read-back
            res = http("GET", self.api_list_url(), headers=self.auth(), timeout=10)
            if res["status"] == 200:
                body = json.loads(res["body"])
                break
            time.sleep(0.5)
        t_end = self.tl.now()
        if body is None:
            self.verdict(
                name,
                [
                    {
                        "name": "read back every acknowledged task",
                        "ok": False,
                        "detail": "the task list could not be read",
                    }
                ],
                {"acknowledged": len(acked), "lost": None, "duplicates": None},
                t_start,
                t_end,
            )
            return
        items = body if isinstance(body, list) else body.get("items", body.get("tasks", []))
        seen: dict[str, int] = {}
        for it in items:
            seen[it["title"]] = seen.get(it["title"], 0) + 1
        prefix = f"chaos {self.run_id} #"
        lost = sorted(t for t in acked if t not in seen)
        dups = sorted(t for t, n in seen.items() if n > 1 and t.startswith(prefix))
        unacked_present = sum(1 for t in self.writer.unacked if t in seen)
        attempted = self.writer.seq
        criteria = [
            {
                "name": "zero acknowledged writes missing",
                "ok": not lost and len(acked) > 0,
                "detail": f"{len(acked)} acknowledged, {len(lost)} missing",
            },
            {"name": "zero duplicates", "ok": not dups, "detail": f"{len(dups)} titles stored more than once"},
        ]
        figures = {
            "attempted": attempted,
            "acknowledged": len(acked),
            "lost": len(lost),
            "duplicates": len(dups),
            "not_acknowledged": len(self.writer.unacked),
            "not_acknowledged_but_stored": unacked_present,
            "read_back": sum(1 for t in seen if t.startswith(prefix)),
            "lost_titles": lost[:50],
            "duplicate_titles": dups[:50],
        }
        self.verdict(name, criteria, figures, t_start, t_end)

    # -- the whole run
    def run(self, out_dir: str) -> dict[str, Any]:
        self.out_dir = out_dir
        cfg = self.cfg
        print(
            f"chaos: target {self.target.name}, scenarios {', '.join(cfg.scenarios)}"
            + (" (DRY RUN: printing the plan only)" if self.runner.dry_run else ""),
            flush=True,
        )
        self.target.setup(self.runner)
        print(f"  API {self.target.api_url}; frontend {self.target.frontend_url or '-'}", flush=True)
        # time 0 of the report is when the traffic starts, not when the stack was being set up
        self.tl.t0, self.tl.wall0 = time.monotonic(), time.time()
        self.load_before = os.getloadavg()
        t_start = 0.0
        try:
            if not self.runner.dry_run and os.access(self.cfg.probe, os.X_OK):
                # run a private copy: a rebuild of build/bin/probe during the run must not break it
                self.probe_copy_dir = tempfile.mkdtemp(prefix="chaos-probe.")
                dst = os.path.join(self.probe_copy_dir, "probe")
                shutil.copy2(self.cfg.probe, dst)
                self.cfg.probe = dst
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
                        if Probe(cfg.probe).supports("load")
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
            "started_at": dt.datetime.fromtimestamp(self.tl.wall0, dt.timezone.utc).isoformat(timespec="seconds"),
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
                "probe watch (one per URL, every probe recorded; the writer is chaos-run.py)"
                if self.measure == "probe"
                else "chaos-run.py watcher threads (build/bin/probe has no `watch`); every request recorded"
            ),
            "passed": bool(verdicts) and all(v != "fail" for v in verdicts),
            "scenarios": {k: self.results[k] for k in SCENARIOS if k in self.results},
            "overall": overall,
            "events": self.tl.events,
            "windows": self.tl.windows,
            "spans": self.tl.scenario_spans,
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


# ---------------------------------------------------------------- entry points


def load_report_module() -> Any:
    spec = importlib.util.spec_from_file_location("chaos_report", HERE / "chaos-report.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def detect_target() -> str:
    """What is running: a Helm release, else the plain manifests, else Compose."""
    ns, rel = env("NAMESPACE", "todo"), env("RELEASE", "todo")

    def ok(cmd: list[str]) -> bool:
        if not shutil.which(cmd[0]):
            return False
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            return False
        return p.returncode == 0 and bool(p.stdout.strip())

    if ok(["helm", "status", rel, "-n", ns]):
        return "helm"
    if ok(["kubectl", "-n", ns, "get", "deploy", "-o", "name"]):
        return "k8s"
    if ok([*shlex.split(env("COMPOSE", "docker compose")), "ps", "-q", "backend"]):
        return "compose"
    return ""


def run_chaos(target: Target, cfg: Config, out_root: str) -> int:
    """Runs every scenario against target and writes the report; the exit status."""
    runner = Runner(cfg.dry_run)
    chaos = Chaos(cfg, target, runner)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
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
    report_mod = load_report_module()
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--target", default=env("CHAOS_TARGET", "auto"), choices=["auto", "k8s", "helm", "compose"])
    ap.add_argument("--out", default=env("CHAOS_OUT", "build/chaos"))
    args = ap.parse_args()
    try:
        cfg = Config()
    except ValueError as e:
        print(f"chaos: {e}", file=sys.stderr)
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


if __name__ == "__main__":
    sys.exit(main())
