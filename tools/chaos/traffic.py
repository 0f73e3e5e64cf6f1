"""Traffic and the timeline it lands on: one request (http), every request recorded in time order
(Timeline), paced loops (Paced), a watcher thread or `probe watch` per URL, and the writer whose
every acknowledged create is kept for the audit (audit.Ledger)."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from typing import Any

from chaos.audit import Ledger
from chaos.runner import Runner
from chaos.util import fmt_duration, percentile, r3


def http(
    method: str, url: str, body: Any = None, headers: dict[str, str] | None = None, timeout: float = 2.0
) -> dict[str, Any]:
    """One request. Returns status (0 when none), outcome (ok, 503, http_<code>, timeout,
    conn_error), latency_ms, error, body (bytes), the Retry-After header, and for a success the
    Set-Cookie headers and the URL answered (after redirects)."""
    data = None
    hdrs = dict(headers or {})
    if body is not None:
        data = json.dumps(body).encode()
        hdrs["Content-Type"] = "application/json"
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"not an http(s) URL: {url!r}")
    req = urllib.request.Request(url, data=data, method=method, headers=hdrs)  # noqa: S310 - http(s) only
    start = time.monotonic()
    res: dict[str, Any] = {"status": 0, "error": "", "body": b"", "retry_after": None, "set_cookie": [], "url": ""}
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - http(s) only
            res["body"] = resp.read()
            res["status"] = resp.status
            res["set_cookie"] = resp.headers.get_all("Set-Cookie") or []
            res["url"] = resp.url
    except urllib.error.HTTPError as e:
        res["status"] = e.code
        res["retry_after"] = e.headers.get("Retry-After")
        with contextlib.suppress(Exception):  # the status is what matters
            res["body"] = e.read()
    except TimeoutError as e:
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
        runner: Runner,
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
            with contextlib.suppress(OSError):
                os.unlink(hf)
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
    """Creates tasks with unique titles continuously; every create that was acknowledged goes
    into the ledger (audit.Ledger) for the read-back at the end."""

    def __init__(
        self, tl: Timeline, api: str, user_id: str, token: str, run_id: str, interval: float, timeout: float
    ) -> None:
        super().__init__(tl, "writer", interval)
        self.run_id, self.timeout = run_id, timeout
        self.url = f"{api}/api/{user_id}/tasks"
        self.headers = {"Authorization": f"Bearer {token}"}
        self.ledger = Ledger()
        self.seq = 0

    @property
    def acked(self) -> dict[str, int]:
        """Title -> id from the 201."""
        return self.ledger.acked

    @property
    def unacked(self) -> list[str]:
        """Failed or timed out: may or may not exist."""
        return self.ledger.unacked

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
            self.ledger.created(title, task_id_of(res))
        else:
            self.ledger.create_failed(title)


def task_id_of(res: dict[str, Any]) -> int:
    """The id in a create's answer; -1 when the body cannot be read."""
    try:
        return int(json.loads(res["body"])["id"])
    except (ValueError, KeyError, TypeError):
        return -1


# The backend answers at most this many tasks per list request (crud.LIST_MAX): read by pages.
PAGE = 500


def read_all_tasks(api: str, user_id: str, headers: dict[str, str], attempts: int = 60) -> list[dict[str, Any]] | None:
    """Every task of the account, page by page; None when the list could not be read (each
    page is tried up to `attempts` times, 0.5 s apart: bounded)."""
    items: list[dict[str, Any]] = []
    offset = 0
    while True:
        url = f"{api}/api/{user_id}/tasks?status=all&limit={PAGE}&offset={offset}"
        page = None
        for _ in range(attempts):
            res = http("GET", url, headers=headers, timeout=10)
            if res["status"] == 200:
                body = json.loads(res["body"])
                page = body if isinstance(body, list) else body.get("items", body.get("tasks", []))
                break
            time.sleep(0.5)
        if page is None:
            return None
        items.extend(page)
        if len(page) < PAGE:
            return items
        offset += PAGE
