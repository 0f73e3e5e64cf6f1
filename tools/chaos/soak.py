"""The soak: steady, realistic use of the stack for a long time, with every acknowledged write
read back at the end, and memory, CPU, database connections, request rate, errors and latency
sampled over time.

    python3 -m chaos soak [--target auto|native|compose|helm|k8s] [--out build/soak]

Simulated users go through the frontend, as a browser does: sign up once, then sign in, open the
tasks page, list, add, complete, rename and delete tasks, and chat, one action every SOAK_USERS /
SOAK_RATE seconds each on average (random, Poisson arrivals), keeping about 20 tasks each; every
SOAK_SESSION a user signs out and in again. Sign-ups and sign-ins are spaced to stay within the
backend's throttle (LOGIN_RATE_PER_CLIENT counts every sign-in and sign-up of a client address,
and all of the soak comes from one): on compose, helm and k8s within SOAK_LOGIN_LIMIT (the
stack's setting, 30/minute unless changed); the native stack the soak starts sets it for the
load instead. Nothing is broken on purpose: every failed request counts.

Knobs (environment): SOAK_DURATION (60m, measured after the sign-ups), SOAK_USERS (100),
SOAK_RATE (actions per second, default one per user every 20 s), SOAK_SESSION (10m), SOAK_SAMPLE
(10s), SOAK_TIMEOUT (10s per request), SOAK_MEMORY_GROWTH (32MiB: a trend per hour above this
fails), SOAK_MEMORY_LIMIT (4GB), SOAK_P99_RATIO (1.5), SOAK_LOGIN_LIMIT (30/minute), and the
chaos run's NAMESPACE, RELEASE, CHAOS_FRONTEND_URL, PROBE.

Exit status: 0 when every verdict passed, 1 when one failed, 2 on a usage or setup error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from chaos import soak_report, verdicts
from chaos.audit import Ledger
from chaos.native import NativeTarget, with_native_stack
from chaos.resources import ComposeSampler, KubeSampler, ProcSampler, Sample, Sampler, parse_size
from chaos.runner import Runner, private_copy, stop_on_sigterm
from chaos.targets import ComposeTarget, KubeTarget, Target, detect_target
from chaos.traffic import Timeline, http, read_all_tasks, task_id_of
from chaos.util import env, parse_duration, percentile, r3

# What one action of a user is, and how often (weights). A user at TASKS_CAP tasks deletes
# instead of adding; a user without tasks adds instead of changing one.
MIX = {"page": 10, "list": 30, "create": 15, "toggle": 15, "update": 5, "delete": 10, "chat": 15}
TASKS_CAP = 20
KINDS = ["signup", "signin", "signout", *MIX]
LOGIN_RATE = re.compile(r"^\s*(\d+)\s*(?:/|per)\s*(\d+)?\s*(second|minute|hour|day)s?\s*$")
UNIT_S = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def per_minute(limit: str) -> float:
    """'30/minute', '10/15 minutes', '100 per hour' (the backend's syntax) -> per minute."""
    m = LOGIN_RATE.match(limit)
    if not m:
        raise ValueError("not a rate such as 30/minute")
    return int(m.group(1)) * 60 / (int(m.group(2) or 1) * UNIT_S[m.group(3)])


def knob(name: str, default: str, parse: Callable[[str], Any]) -> Any:
    """The knob's value from the environment, parsed; a bad one is an error naming it."""
    text = env(name, default)
    try:
        return parse(text)
    except ValueError as e:
        raise ValueError(f"{name}={text!r}: {e}") from None


class SoakConfig:
    """Every knob, read once from the environment and checked."""

    def __init__(self) -> None:
        self.duration: float = knob("SOAK_DURATION", "60m", parse_duration)
        self.users: int = knob("SOAK_USERS", "100", int)
        self.rate: float = knob("SOAK_RATE", "0", float) or self.users / 20.0
        self.session: float = knob("SOAK_SESSION", "10m", parse_duration)
        self.sample: float = knob("SOAK_SAMPLE", "10s", parse_duration)
        self.timeout: float = knob("SOAK_TIMEOUT", "10s", parse_duration)
        self.growth_limit: float = knob("SOAK_MEMORY_GROWTH", "32MiB", parse_size)
        self.memory_limit: float = knob("SOAK_MEMORY_LIMIT", "4GB", parse_size)
        self.p99_ratio: float = knob("SOAK_P99_RATIO", "1.5", float)
        self.login_limit: float = knob("SOAK_LOGIN_LIMIT", "30/minute", per_minute)
        if not 1 <= self.users <= 10000:
            raise ValueError(f"SOAK_USERS={self.users}: give 1 to 10000 users")
        if self.rate <= 0:
            raise ValueError("SOAK_RATE must be above 0 (actions per second)")
        if self.p99_ratio < 1:
            raise ValueError("SOAK_P99_RATIO must be at least 1")
        if self.sample < 1:
            raise ValueError("SOAK_SAMPLE must be at least 1s")
        if self.duration < 6 * self.sample:
            raise ValueError(
                f"SOAK_DURATION={env('SOAK_DURATION', '60m')} is shorter than 6 samples of SOAK_SAMPLE "
                f"({self.sample:g} s): the windows and the trend need more"
            )
        if self.session < 60:
            raise ValueError("SOAK_SESSION must be at least 1m")
        # an hour's first and last 10 minutes, kept in proportion (a sixth) for shorter runs
        self.window = min(600.0, self.duration / 6)
        self.workers = min(self.users, 64)

    def auth_pace(self) -> float:
        """Sign-ins and sign-ups per minute the soak allows itself: 80 % of the limit."""
        return 0.8 * self.login_limit

    def check_pace(self) -> None:
        """The sign-ins of the steady phase (one per user per session) must fit the pace."""
        need = self.users * 60 / self.session
        if need > self.auth_pace():
            raise ValueError(
                f"{self.users} users signing in every {self.session / 60:g} min need {need:.1f} sign-ins a minute, "
                f"above 80 % of the stack's limit ({self.login_limit:g}/minute, SOAK_LOGIN_LIMIT): lower SOAK_USERS, "
                "lengthen SOAK_SESSION, or raise LOGIN_RATE_PER_CLIENT in the stack and SOAK_LOGIN_LIMIT with it"
            )

    def as_dict(self) -> dict[str, Any]:
        return {
            "duration_s": self.duration,
            "users": self.users,
            "actions_per_s": round(self.rate, 3),
            "seconds_between_a_users_actions": round(self.users / self.rate, 2),
            "session_s": self.session,
            "sample_s": self.sample,
            "request_timeout_s": self.timeout,
            "window_s": round(self.window, 1),
            "memory_growth_limit_bytes_per_h": self.growth_limit,
            "memory_limit_bytes": self.memory_limit,
            "p99_ratio": self.p99_ratio,
            "login_limit_per_min": round(self.login_limit, 2),
            "auth_pace_per_min": round(self.auth_pace(), 2),
            "mix": MIX,
            "tasks_per_user": TASKS_CAP,
        }


class Pacer:
    """Spaces requests evenly, at most `per_minute` a minute (the sign-in throttle's budget)."""

    def __init__(self, per_minute: float) -> None:
        self.gap = 60.0 / per_minute
        self.next = 0.0
        self.lock = threading.Lock()

    def reserve(self, now: float) -> float:
        """The next free slot at or after `now` (monotonic seconds), taken."""
        with self.lock:
            slot = max(now, self.next)
            self.next = slot + self.gap
        return slot

    def wait(self, stop: threading.Event) -> bool:
        """Blocks until this caller's slot; False when stopped meanwhile."""
        slot = self.reserve(time.monotonic())
        return not stop.wait(max(0.0, slot - time.monotonic()))


@dataclass
class User:
    """One simulated user: the account, the browser's cookies, its tasks (ledger keys)."""

    idx: int
    email: str
    password: str
    uid: str = ""
    cookies: dict[str, str] = field(default_factory=dict)
    live: list[str] = field(default_factory=list)
    ledger: Ledger = field(default_factory=Ledger)
    conversation: int | None = None
    session_end: float = 0.0
    seq: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def cookie_header(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}

    def keep_cookies(self, set_cookie: list[str]) -> None:
        for header in set_cookie:
            name, _, value = header.split(";", 1)[0].partition("=")
            if value and "max-age=0" not in header.lower():
                self.cookies[name.strip()] = value.strip()
            else:
                self.cookies.pop(name.strip(), None)


class Soak:
    """The users, the traffic, the sampling, the audit, and the figures for the report."""

    def __init__(self, cfg: SoakConfig, target: Target, sampler: Sampler, run_id: str) -> None:
        self.cfg, self.target, self.sampler, self.run_id = cfg, target, sampler, run_id
        self.base = target.frontend_url or ""
        self.tl = Timeline()
        self.stop = threading.Event()
        self.pacer = Pacer(cfg.auth_pace())
        self.rng = random.Random()  # noqa: S311 - traffic, not secrets
        self.users: list[User] = []
        self.samples: list[dict[str, Any]] = []
        self.setup_records: list[dict[str, Any]] = []
        self.not_started = 0
        self.inflight = 0
        self.lock = threading.Lock()
        self.cursor = 0  # timeline records already counted in a sample

    # -- requests, as a browser sends them to the frontend
    def request(
        self, kind: str, user: User, method: str, path: str, body: Any = None, record: bool = True
    ) -> dict[str, Any]:
        headers = {"Accept": "application/json" if path.startswith("/api/") else "text/html"}
        headers["Sec-Fetch-Site"] = "same-origin"
        headers.update(user.cookie_header())
        t_start = self.tl.now()
        res = http(method, self.base + path, body=body, headers=headers, timeout=self.cfg.timeout)
        if res["outcome"] == "ok" and res.get("url") and not res["url"].split("?")[0].endswith(path.split("?")[0]):
            res["outcome"] = "redirected"  # the page sent the user elsewhere (signed out?)
            res["error"] = f"redirected to {res['url']}"
        user.keep_cookies(res["set_cookie"])
        if record:
            self.tl.add(kind, method, t_start, t_start, res)
        else:
            self.setup_records.append({"kind": kind, "outcome": res["outcome"], "latency_ms": res["latency_ms"]})
        return res

    def body(self, res: dict[str, Any]) -> Any:
        try:
            return json.loads(res["body"] or b"null")
        except ValueError:
            return None

    # -- sessions
    def sign_up(self, user: User) -> None:
        if not self.pacer.wait(self.stop):
            return
        res = self.request(
            "signup",
            user,
            "POST",
            "/api/session/register",
            {"email": user.email, "password": user.password, "name": f"soak user {user.idx}"},
            record=False,
        )
        data = self.body(res)
        if res["outcome"] != "ok" or not isinstance(data, dict) or "user" not in data:
            hint = (
                f" (the stack throttled the sign-ups: its LOGIN_RATE_PER_CLIENT is below the "
                f"{self.cfg.login_limit:g}/minute SOAK_LOGIN_LIMIT says)"
                if res["status"] == 429
                else ""
            )
            raise RuntimeError(
                f"sign-up of soak user {user.idx} failed: {res['status'] or res['error']} {res['body'][:200]!r}{hint}"
            )
        user.uid = str(data["user"]["id"])

    def renew(self, user: User) -> None:
        """The session is over: sign out, then in again (a new conversation starts)."""
        if user.cookies:
            self.request("signout", user, "POST", "/api/session/logout")
        if not self.pacer.wait(self.stop):
            return
        res = self.request(
            "signin", user, "POST", "/api/session/login", {"email": user.email, "password": user.password}
        )
        user.conversation = None
        user.session_end = self.tl.now() + self.cfg.session
        if res["outcome"] != "ok":
            user.session_end = self.tl.now()  # try again at its next action

    # -- one action
    def choose(self, user: User) -> str:
        kind = self.rng.choices(list(MIX), weights=list(MIX.values()))[0]
        if kind == "create" and len(user.live) >= TASKS_CAP:
            return "delete"
        if kind in ("toggle", "update", "delete") and not user.live:
            return "create"
        return kind

    def new_title(self, user: User, tag: str) -> str:
        user.seq += 1
        return f"Soak {self.run_id} u{user.idx:04d} {tag}{user.seq:06d}"

    def act(self, user: User) -> None:
        if self.tl.now() >= user.session_end or not user.cookies:
            self.renew(user)
            return
        kind = self.choose(user)
        tasks = f"/api/{user.uid}/tasks"
        led = user.ledger
        if kind == "page":
            self.request(kind, user, "GET", "/tasks")
        elif kind == "list":
            self.request(kind, user, "GET", f"{tasks}?status={self.rng.choice(['all', 'all', 'pending', 'completed'])}")
        elif kind == "create":
            title = self.new_title(user, "#")
            res = self.request(kind, user, "POST", tasks, {"title": title, "description": "written by make soak"})
            if res["status"] == 201:
                led.created(title, task_id_of(res))
                user.live.append(title)
            else:
                led.create_failed(title)
        elif kind in ("toggle", "update", "delete"):
            key = self.rng.choice(user.live)
            tid = led.tasks[key].task_id
            if kind == "toggle":
                res = self.request(kind, user, "PATCH", f"{tasks}/{tid}/complete")
                data = self.body(res)
                if res["outcome"] == "ok" and isinstance(data, dict):
                    led.changed(key, completed=bool(data.get("completed")))
                    return
            elif kind == "update":
                title = f"{key} edit {user.seq}"
                user.seq += 1
                res = self.request(kind, user, "PUT", f"{tasks}/{tid}", {"title": title})
                if res["outcome"] == "ok":
                    led.changed(key, title=title)
                    return
            else:
                res = self.request(kind, user, "DELETE", f"{tasks}/{tid}")
                user.live.remove(key)
                if res["outcome"] == "ok":
                    led.changed(key, deleted=True)
                    return
            led.unsure(key, f"{kind}: {res['status'] or res['error']}")
            if key in user.live:
                user.live.remove(key)
        else:
            self.chat(user)

    def chat(self, user: User) -> None:
        """Ask the assistant: add a task (checked: the tool call must have created it), ask
        what is pending, or complete a pending task by its number (checked the same way; the
        assistant rightly calls nothing for a task already done, so only pending ones are asked)."""
        pending = [k for k in user.live if not user.ledger.tasks[k].completed]
        what = self.rng.choice(["add", "ask", "complete"] if pending else ["add", "ask"])
        title = key = ""
        if what == "add":
            title = self.new_title(user, "c")
            message = f"add {title}"
        elif what == "ask":
            message = self.rng.choice(["what's pending?", "show my tasks"])
        else:
            key = self.rng.choice(pending)
            message = f"mark task {user.ledger.tasks[key].task_id} as complete"
        body: dict[str, Any] = {"message": message}
        if user.conversation:
            body["conversation_id"] = user.conversation
        t_start = self.tl.now()
        headers = {"Accept": "application/json", "Sec-Fetch-Site": "same-origin", **user.cookie_header()}
        res = http("POST", f"{self.base}/api/{user.uid}/chat", body=body, headers=headers, timeout=self.cfg.timeout)
        data = self.body(res)
        calls = data.get("tool_calls", []) if res["outcome"] == "ok" and isinstance(data, dict) else []
        if res["outcome"] == "ok" and isinstance(data, dict):
            user.conversation = data.get("conversation_id") or user.conversation
        if what == "add":
            made = [c["result"] for c in calls if c.get("tool") == "add_task" and isinstance(c.get("result"), dict)]
            made = [r for r in made if r.get("status") == "created" and "task_id" in r]
            if made:
                user.ledger.created(title, int(made[0]["task_id"]))
                user.ledger.changed(title, title=str(made[0].get("title", title)))
                user.live.append(title)
            elif res["outcome"] == "ok":
                res["outcome"], res["error"] = "chat_no_action", f"no add_task call for {message!r}"
                user.ledger.create_failed(title)
            else:
                user.ledger.create_failed(title)
        elif what == "complete" and res["outcome"] == "ok":
            done = [c for c in calls if c.get("tool") == "complete_task" and isinstance(c.get("result"), dict)]
            if done and done[0]["result"].get("status") == "completed":
                user.ledger.changed(key, completed=True)
            else:
                res["outcome"], res["error"] = "chat_no_action", f"no complete_task call for {message!r}"
        elif what == "complete":
            user.ledger.unsure(key, f"chat complete: {res['status'] or res['error']}")
            user.live.remove(key)
        self.tl.add("chat", "POST", t_start, t_start, res)

    # -- the traffic: Poisson arrivals of actions, each by an idle user
    def run_action(self) -> None:
        try:
            idle = [u for u in self.users if not u.lock.locked()]
            self.rng.shuffle(idle)
            for user in idle:
                if user.lock.acquire(blocking=False):
                    try:
                        self.act(user)
                    finally:
                        user.lock.release()
                    return
            with self.lock:
                self.not_started += 1
        finally:
            with self.lock:
                self.inflight -= 1

    def drive(self, pool: ThreadPoolExecutor, until: float) -> None:
        nxt = self.tl.now()
        while not self.stop.is_set():
            nxt += self.rng.expovariate(self.cfg.rate)
            if nxt >= until or self.stop.wait(max(0.0, nxt - self.tl.now())):
                return
            with self.lock:
                if self.inflight >= self.cfg.workers:
                    self.not_started += 1
                    continue
                self.inflight += 1
            pool.submit(self.run_action)

    # -- sampling
    def take_sample(self, t: float) -> None:
        with self.tl.lock:
            new = self.tl.records[self.cursor :]
            self.cursor = len(self.tl.records)
        lat = [r["latency_ms"] for r in new]
        prev_t = self.samples[-1]["t"] if self.samples else 0.0
        row: dict[str, Any] = {
            "t": round(t, 2),
            "requests": len(new),
            "errors": sum(1 for r in new if r["outcome"] != "ok"),
            "rps": round(len(new) / (t - prev_t), 3) if t > prev_t else 0.0,
            "p50_ms": r3(percentile(lat, 0.5)),
            "p99_ms": r3(percentile(lat, 0.99)),
        }
        reading, error = None, ""
        for _ in range(3):  # a transient failure of docker or kubectl is retried twice
            try:
                reading = self.sampler.sample()
                row["pg_connections"] = self.sampler.pg_connections()
                error = ""
                break
            except (RuntimeError, OSError, ValueError, subprocess.TimeoutExpired) as e:
                error = str(e)[:300]
                time.sleep(1)
        if reading is None or error:
            row["missing"] = error or "no reading"
            print(f"  sample at {t:.0f} s: missing ({row['missing']})", flush=True)
        else:
            assert isinstance(reading, Sample)
            row["memory"] = reading.memory
            row["cpu"] = {k: round(v, 4) for k, v in reading.cpu.items()} if self.samples else {}
            row["memory_total"] = sum(reading.memory.values())
            row["cluster_memory"] = reading.cluster_memory
        self.samples.append(row)

    def sample_loop(self, duration: float) -> None:
        k = 0
        self.take_sample(0.0)
        while True:
            k += 1
            at = k * self.cfg.sample
            if at > duration + 1e-6 or self.stop.wait(max(0.0, at - self.tl.now())):
                return
            self.take_sample(self.tl.now())
            last = self.samples[-1]
            if k % 6 == 0:
                print(
                    f"  {self.tl.now() / 60:5.1f} min: {last['rps']:.1f} req/s, {last['errors']} errors, "
                    f"p99 {last['p99_ms'] or 0:.0f} ms, stack {last.get('memory_total', 0) / 2**20:.0f} MiB, "
                    f"{last.get('pg_connections', '-')} db connections",
                    flush=True,
                )

    # -- the whole run
    def run(self) -> dict[str, Any]:
        cfg = self.cfg
        t_setup = time.monotonic()
        self.users = [
            User(i, f"soak-{self.run_id.lower()}-{i:04d}@example.com", "soak-" + os.urandom(12).hex())
            for i in range(cfg.users)
        ]
        print(f"  signing up {cfg.users} users at {cfg.auth_pace():g} a minute at most", flush=True)
        for u in self.users:
            self.sign_up(u)
            if self.stop.is_set():
                raise KeyboardInterrupt("stopped during the sign-ups")
            if (u.idx + 1) % 25 == 0 and u.idx + 1 < cfg.users:
                print(f"    {u.idx + 1} signed up after {time.monotonic() - t_setup:.0f} s", flush=True)
        setup_s = time.monotonic() - t_setup
        print(f"  {cfg.users} users signed up in {setup_s:.1f} s; steady traffic for {cfg.duration:g} s", flush=True)
        self.tl.t0, self.tl.wall0 = time.monotonic(), time.time()
        for u in self.users:  # sessions end staggered over the first SOAK_SESSION
            u.session_end = self.rng.uniform(0, cfg.session)
        load_before = os.getloadavg()[0]
        sampler = threading.Thread(target=self.sample_loop, args=(cfg.duration,), daemon=True, name="soak-sampler")
        with ThreadPoolExecutor(max_workers=cfg.workers, thread_name_prefix="soak-user") as pool:
            sampler.start()
            try:
                self.drive(pool, cfg.duration)
                sampler.join(timeout=cfg.duration + 120)
            finally:
                self.stop.set()
        measured = self.tl.now()
        sampler.join(timeout=60)
        print("  traffic stopped; reading every user's tasks back", flush=True)
        audit = self.audit()
        return self.figures(audit, setup_s, measured, load_before)

    def audit(self) -> dict[str, Any] | None:
        """Every user's tasks, read back page by page, against what was acknowledged."""
        self.stop.clear()
        total: dict[str, Any] = {}
        for u in self.users:
            if not u.cookies:
                self.renew(u)
            items = read_all_tasks(self.base, u.uid, {"Sec-Fetch-Site": "same-origin", **u.cookie_header()}, 20)
            if items is None:
                print(f"  the tasks of soak user {u.idx} could not be read back", flush=True)
                return None
            got = u.ledger.verify(items, f"Soak {self.run_id} u{u.idx:04d} ")
            for k, v in got.items():
                if isinstance(v, list):
                    total[k] = (total.get(k, []) + v)[:50]
                else:
                    total[k] = total.get(k, 0) + v
        return total

    def figures(
        self, audit: dict[str, Any] | None, setup_s: float, measured: float, load_before: float
    ) -> dict[str, Any]:
        cfg = self.cfg
        with self.tl.lock:
            records = list(self.tl.records)
        lat = [r["latency_ms"] for r in records]
        errors = [r for r in records if r["outcome"] != "ok"]
        by_kind = {}
        for kind in KINDS:
            rs = [r for r in records if r["target"] == kind]
            if rs:
                kl = [r["latency_ms"] for r in rs]
                by_kind[kind] = {
                    "requests": len(rs),
                    "errors": sum(1 for r in rs if r["outcome"] != "ok"),
                    "p50_ms": r3(percentile(kl, 0.5)),
                    "p99_ms": r3(percentile(kl, 0.99)),
                }
        w = cfg.window
        first = [r["latency_ms"] for r in records if r["t"] < w]
        last = [r["latency_ms"] for r in records if r["t"] >= measured - w]
        windows = {
            "first": {"t0": 0.0, "t1": r3(w), "requests": len(first), "p99_ms": r3(percentile(first, 0.99))},
            "last": {
                "t0": r3(measured - w),
                "t1": r3(measured),
                "requests": len(last),
                "p99_ms": r3(percentile(last, 0.99)),
            },
        }
        taken = [s for s in self.samples if "memory" in s]
        names = sorted({n for s in taken for n in s["memory"]})
        series = {n: [(s["t"], s["memory"][n]) for s in taken if n in s["memory"]] for n in names}
        # the verdict is per component (where a leak lives); the total's trend is reported beside
        trends = {n: verdicts.memory_trend(pts, cfg.growth_limit) for n, pts in series.items()}
        total_trend = verdicts.memory_trend([(s["t"], s["memory_total"]) for s in taken], cfg.growth_limit)
        peaks: dict[str, float | None] = {"stack": max((s["memory_total"] for s in taken), default=None)}
        if isinstance(self.sampler, KubeSampler):
            peaks["cluster"] = max((s["cluster_memory"] for s in taken if s.get("cluster_memory")), default=None)
        missing = [s["t"] for s in self.samples if "missing" in s]
        expected = int(cfg.duration // cfg.sample) + 1  # one at 0, then one every SOAK_SAMPLE
        criteria = verdicts.soak(
            len(errors),
            len(records),
            audit,
            trends,
            cfg.growth_limit,
            windows["first"]["p99_ms"],
            windows["last"]["p99_ms"],
            cfg.p99_ratio,
            peaks,
            cfg.memory_limit,
        )
        criteria.append(
            verdicts.criterion(
                f"every {cfg.sample:g} s sample taken",
                not missing and len(self.samples) >= expected,
                f"{len(self.samples) - len(missing)} of {expected} taken"
                + (f"; missing at {', '.join(f'{t:.0f}' for t in missing[:10])} s" if missing else ""),
            )
        )
        pg = [s["pg_connections"] for s in self.samples if "pg_connections" in s]
        return {
            "kind": "soak",
            "run_id": self.run_id,
            "started_at": dt.datetime.fromtimestamp(self.tl.wall0, dt.UTC).isoformat(timespec="seconds"),
            "duration_s": r3(measured),
            "setup_s": r3(setup_s),
            "setup": {
                "signups": len(self.setup_records),
                "failed": sum(1 for r in self.setup_records if r["outcome"] != "ok"),
                "p50_ms": r3(percentile([r["latency_ms"] for r in self.setup_records], 0.5)),
            },
            "target": self.target.describe(),
            "config": cfg.as_dict(),
            "measured_by": self.sampler.how,
            "host": {
                "cpus": os.cpu_count(),
                "loadavg_1m_start": round(load_before, 2),
                "loadavg_1m_end": round(os.getloadavg()[0], 2),
            },
            "passed": all(c["ok"] for c in criteria),
            "verdicts": criteria,
            "requests": {
                "total": len(records),
                "errors": len(errors),
                "per_s": r3(len(records) / measured) if measured else None,
                "p50_ms": r3(percentile(lat, 0.5)),
                "p99_ms": r3(percentile(lat, 0.99)),
                "by_kind": by_kind,
                "actions_not_started": self.not_started,
                "first_errors": [
                    {k: r[k] for k in ("t", "target", "method", "status", "outcome", "error")} for r in errors[:20]
                ],
            },
            "windows": windows,
            "memory": {
                "trends": {
                    n: {k: (r3(v) if isinstance(v, float) else v) for k, v in t.items()}
                    for n, t in {**trends, soak_report.TOTAL: total_trend}.items()
                },
                "peaks": peaks,
            },
            "pg_connections": {"min": min(pg, default=None), "max": max(pg, default=None)},
            "audit": audit,
            "acknowledged": audit["acknowledged"] if audit else None,
            "lost": audit["lost"] if audit else None,
            "samples": self.samples,
            "_records": records,
        }


# ---------------------------------------------------------------- entry points


def sampler_for(target: Target) -> Sampler:
    if isinstance(target, NativeTarget):
        return ProcSampler(target.process_roots, lambda: target.database_url)
    if isinstance(target, ComposeTarget):
        return ComposeSampler(target.dc)
    if isinstance(target, KubeTarget):
        return KubeSampler(target.ns, f"app.kubernetes.io/instance={target.rel}", target.selector["postgresql"])
    raise RuntimeError(f"no resource sampler for target {target.name}")


def run_soak(target: Target, cfg: SoakConfig, out_root: str) -> int:
    """Starts (native) or reaches the stack, runs the soak, writes the report; the exit status."""
    runner = Runner(False)
    run_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}"
    probe_dir, target.probe = private_copy(env("PROBE", "build/bin/probe"))
    try:
        print(f"soak: target {target.name}, {cfg.users} users, {cfg.rate:g} actions/s, {cfg.duration:g} s", flush=True)
        target.setup(runner)
        if not target.frontend_url:
            raise RuntimeError(f"target {target.name} has no frontend URL (set CHAOS_FRONTEND_URL)")
        print(f"  through the frontend at {target.frontend_url}", flush=True)
        soak = Soak(cfg, target, sampler_for(target), run_id)
        try:
            rep = soak.run()
        except BaseException:
            soak.stop.set()
            raise
    finally:
        shutil.rmtree(probe_dir, ignore_errors=True)
    out_dir = os.path.join(out_root, dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ"))
    os.makedirs(out_dir, exist_ok=True)
    soak_report.write_report(out_dir, rep)
    latest = os.path.join(out_root, "latest")
    if os.path.islink(latest):
        os.unlink(latest)
    os.symlink(os.path.basename(out_dir), latest)
    print()
    print(soak_report.summary_text(rep, out_dir), flush=True)
    return 0 if rep["passed"] else 1


def add_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument(
        "--target", default=env("CHAOS_TARGET", "auto"), choices=["auto", "native", "compose", "helm", "k8s"]
    )
    ap.add_argument("--out", default=env("SOAK_OUT", "build/soak"))


def main(args: argparse.Namespace) -> int:
    stop_on_sigterm()
    try:
        cfg = SoakConfig()
    except ValueError as e:
        print(f"soak: {e}", file=sys.stderr)
        return 2
    flavour = args.target if args.target != "auto" else detect_target()
    if not flavour:
        print(
            "soak: nothing is running (no Helm release, no manifests, no Compose stack); start one, "
            "or set CHAOS_TARGET=native to soak a stack started on this machine",
            file=sys.stderr,
        )
        return 2
    if flavour == "native":
        # the native stack is the soak's own: its backends allow the sign-ins it generates
        limit = max(30, 12 * cfg.users)
        cfg.login_limit = float(limit)
        env_add = {"LOGIN_RATE_PER_CLIENT": f"{limit}/minute"}
        return with_native_stack("soak", False, env_add, lambda target: run_soak(target, cfg, args.out))
    try:
        cfg.check_pace()
    except ValueError as e:
        print(f"soak: {e}", file=sys.stderr)
        return 2
    target: Target = ComposeTarget() if flavour == "compose" else KubeTarget(flavour)
    try:
        return run_soak(target, cfg, args.out)
    except RuntimeError as e:
        print(f"soak: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("soak: interrupted", file=sys.stderr)
        return 130
    finally:
        target.teardown()
