#!/usr/bin/env python3
"""chaos-native: the chaos scenarios against the stack running natively on this machine.

    chaos-native.py [--out build/chaos]

Starts, all on 127.0.0.1 and free ports: a private PostgreSQL (mk/scripts/pg-temp.sh), the
migrations, two backend processes (`make backend-run`, one uvicorn worker each) under a small supervisor that restarts a killed
one after CHAOS_RESTART_DELAY (the kubelet's part), HAProxy in front of them with active
health checks on /ready (the Service's part), and two frontends behind it when the Next.js
standalone build exists (else frontend-pod-kill is skipped, saying why). Then it runs the same
scenarios, verdicts and report as `make chaos-test` (chaos-run.py); only the fault commands
differ: `kill -TERM -- -PGID` for a pod, `pg_ctl stop` for the database, drain in HAProxy +
restart one backend after the other for the rolling update. Everything it started is stopped
on exit, also on failure or Ctrl-C.
"""

from __future__ import annotations

import argparse
import fcntl
import importlib.util
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def load(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name.replace("-", "_"), HERE / f"{name}.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


cr = load("chaos-run")
sup_mod = load("chaos-supervisor")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_has(target: str) -> bool:
    """Whether the project's Makefile defines target (make -n has no side effects)."""
    p = subprocess.run(["make", "-n", "--no-print-directory", target], cwd=ROOT, capture_output=True, text=True)
    return p.returncode == 0


def as_pg(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def pg_bin() -> str:
    for d in sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True):
        if (d / "pg_ctl").exists():
            return str(d)
    return os.path.dirname(shutil.which("pg_ctl") or "/usr/bin/pg_ctl")


def frontend_build() -> str | None:
    """The Next.js standalone server.js, if the frontend was built."""
    for cand in [
        # the laid-out copy first: it is what the image holds (static files included)
        *sorted((ROOT / "build").glob("frontend*/standalone/server.js")),
        *sorted((ROOT / "build").glob("frontend*/server.js")),
        ROOT / "docker/frontend/.next/standalone/server.js",
    ]:
        if cand.is_file():
            return str(cand)
    return None


NOT_BUILT = (
    "the frontend is not built (no docker/frontend/.next/standalone/server.js): run `make frontend-build` "
    "(next build, heavy) and re-run"
)

HAPROXY_CFG = """\
# chaos-native: the load balancer standing in for the Kubernetes Service (+ readiness probes).
global
    stats socket {sock} mode 600 level admin
    maxconn 2000
defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    timeout queue 5s
    # a refused connection (the backend is gone) is retried on the other server; a request
    # that reached a backend is never replayed (that could duplicate a write)
    retries 3
    option redispatch 1
    retry-on conn-failure
    option http-server-close
frontend api
    bind 127.0.0.1:{lb}
    default_backend backends
backend backends
    balance roundrobin
    # the chart's readinessProbe (failureThreshold 2, timeoutSeconds 2), polled faster
    option httpchk GET /ready
    http-check expect status 200
    timeout check 2s
    default-server inter 1s fastinter 500ms downinter 500ms fall 2 rise 2
{servers}
"""

HAPROXY_FE = """\
frontend web
    bind 127.0.0.1:{lb}
    default_backend frontends
backend frontends
    balance roundrobin
    option httpchk GET /api/healthz
    http-check expect status 200
    timeout check 2s
    default-server inter 1s fastinter 500ms downinter 500ms fall 2 rise 2
{servers}
"""


class NativeTarget(cr.Target):
    """The native stack: processes under the supervisor, HAProxy, pg-temp's PostgreSQL."""

    name = "native"

    def __init__(self, state: str, dry_run: bool) -> None:
        self.state = state
        self.dry = dry_run
        self.sup = sup_mod.Supervisor(cr.parse_duration(cr.env("CHAOS_RESTART_DELAY", "500ms")))
        self.grace = cr.parse_duration(cr.env("CHAOS_GRACE", "10s"))
        self.ports: dict[str, int] = {}
        self.pg_dir = os.path.join(state, "pg")
        self.sock = os.path.join(state, "haproxy.sock")
        self.haproxy: subprocess.Popen[bytes] | None = None
        self.gen_at_kill: dict[str, int] = {}
        self.cancel_kill: dict[str, threading.Event] = {}
        self.database_url = ""
        self.fe_server = frontend_build()
        self.frontend_skip = "" if self.fe_server else f"{NOT_BUILT}; nothing was faked"
        self.backends = ["backend-1", "backend-2"]
        self.frontends = ["frontend-1", "frontend-2"] if self.fe_server else []
        self.api_url = "http://127.0.0.1:<lb>"
        self.frontend_url = "http://127.0.0.1:<web>" if (dry_run and self.fe_server) else None
        self.backend_cmd: list[str] = []
        self.notes: list[str] = []

    # -- bring the stack up
    def setup(self, runner: Any) -> None:
        if self.dry:
            self.plan(runner)
            return
        for n in self.backends + ["frontend-1", "frontend-2", "lb", "web"]:
            self.ports[n] = free_port()
        self.snapshot_frontend()
        os.makedirs(self.pg_dir, exist_ok=True)
        print("  starting PostgreSQL, 2 backends, HAProxy" + (", 2 frontends" if self.fe_server else ""), flush=True)
        out = subprocess.run(
            [str(HERE / "pg-temp.sh"), "start", self.pg_dir], capture_output=True, text=True, timeout=120
        )
        if out.returncode != 0:
            raise RuntimeError(f"pg-temp.sh start failed: {out.stderr.strip()[-800:]}")
        self.database_url = out.stdout.strip().split("=", 1)[1]
        benv = self.backend_env()
        py = str(ROOT / "build/venv-backend/bin/python")
        if make_has("backend-migrate"):
            mig = ["make", "--no-print-directory", "-s", "backend-migrate"]
            mig_cwd = str(ROOT)
        else:
            mig = [py, "-m", "alembic", "-c", "alembic.ini", "upgrade", "head"]
            mig_cwd = str(ROOT / "docker/backend")
        p = subprocess.run(mig, cwd=mig_cwd, env=benv, capture_output=True, text=True, timeout=300)
        if p.returncode != 0:
            raise RuntimeError(f"migrations failed: {shlex.join(mig)}\n{(p.stdout + p.stderr)[-1500:]}")
        if not make_has("backend-run"):
            raise RuntimeError("this tree has no `make backend-run`: the backends cannot be started")
        self.backend_cmd, cwd = ["make", "--no-print-directory", "-s", "backend-run"], str(ROOT)
        for name in self.backends:
            e = dict(benv, BACKEND_PORT=str(self.ports[name]))
            self.sup.add(sup_mod.Slot(name, self.backend_cmd, e, cwd, os.path.join(self.state, f"{name}.log")))
        if self.fe_server:
            for name in self.frontends:
                e = dict(
                    os.environ,
                    PORT=str(self.ports[name]),
                    HOSTNAME="127.0.0.1",
                    NODE_ENV="production",
                    BACKEND_URL=f"http://127.0.0.1:{self.ports['lb']}",
                    NEXT_TELEMETRY_DISABLED="1",
                )
                if cr.env("CHAOS_FRONTEND_IN_PLACE", "0") != "0":
                    # resolve what the copy lacks from docker/frontend/node_modules, as a run in
                    # place does (this hides an incomplete standalone build: the image has no such fallback)
                    e["NODE_PATH"] = str(ROOT / "docker/frontend/node_modules")
                self.sup.add(
                    sup_mod.Slot(
                        name,
                        ["node", os.path.basename(self.fe_server)],
                        e,
                        os.path.dirname(self.fe_server),
                        os.path.join(self.state, f"{name}.log"),
                    )
                )
        self.sup.start()
        self.write_haproxy()
        self.haproxy = subprocess.Popen(
            ["haproxy", "-f", os.path.join(self.state, "haproxy.cfg"), "-db"],
            stdout=open(os.path.join(self.state, "haproxy.log"), "ab"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        self.api_url = f"http://127.0.0.1:{self.ports['lb']}"
        urls = [f"http://127.0.0.1:{self.ports[n]}/ready" for n in self.backends] + [f"{self.api_url}/ready"]
        self.wait_all(urls, 90)
        if self.fe_server:
            self.frontend_url = f"http://127.0.0.1:{self.ports['web']}"
            self.check_frontend()
        print(
            f"  up: backends {', '.join(str(self.ports[n]) for n in self.backends)} behind HAProxy "
            f"{self.ports['lb']} (health checks GET /ready every 1 s, timeout 2 s, fall 2, rise 2)",
            flush=True,
        )

    def check_frontend(self) -> None:
        """The frontends must start and render a page; if they cannot, frontend-pod-kill is
        skipped with the reason (their first error line) and they are stopped."""
        page = cr.env("CHAOS_FRONTEND_PATH", "/signin")
        within = 45.0
        deadline = time.monotonic() + within
        ok = None
        crashing = False
        while time.monotonic() < deadline:
            if all(self.port_ready(f) for f in self.frontends) and (
                cr.http("GET", f"{self.frontend_url}/api/healthz", timeout=2)["outcome"] == "ok"
            ):
                ok = True
                break
            # a crash loop will not heal by waiting
            if any(len(self.sup.slots[f].exits) >= 2 for f in self.frontends):
                crashing = True
                break
            time.sleep(0.2)
        why = ""
        if crashing:
            why = "the frontends exit right after starting (crash loop)"
        elif ok is None:
            why = f"the frontends did not become ready within {within:.0f} s"
        else:
            res = cr.http("GET", self.frontend_url + page, timeout=10)
            if res["outcome"] != "ok":
                why = f"the frontend starts but GET {page} answers {res['status'] or res['error']}"
        if not why:
            return
        log = Path(self.state, f"{self.frontends[0]}.log").read_text(errors="replace").splitlines()
        first = next((ln.strip() for ln in log if "Error" in ln), "")
        for f in self.frontends:
            self.sup.retire(f)
        self.frontend_url = None
        self.no_frontend(
            f"{why}" + (f" ({first})" if first else "") + f"; the standalone build at "
            f"{os.path.relpath(os.path.dirname(frontend_build() or 'docker/frontend/.next/standalone/x'), ROOT)} "
            "was run from a copy, as the image runs it"
        )

    def snapshot_frontend(self) -> None:
        """A private copy of the standalone build, so that a rebuild of docker/frontend during the
        run cannot pull files from under the restarted processes. Taken under frontend-build.sh's
        lock (a build in progress is waited for, up to a minute, then the scenario is skipped)."""
        lock_path = os.path.join(os.environ.get("FRONTEND_BUILD", str(ROOT / "build/frontend")), "build.lock")
        fd = None
        self.fe_server = None
        if os.path.exists(lock_path):
            fd = os.open(lock_path, os.O_RDWR)
            deadline = time.monotonic() + 60
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        os.close(fd)
                        self.no_frontend(
                            "a frontend build has been running for over a minute (build/frontend/build.lock)"
                        )
                        return
                    time.sleep(0.5)
        try:
            server = frontend_build()
            if not server:
                self.no_frontend(NOT_BUILT)
                return
            src = os.path.dirname(server)
            dst = os.path.join(self.state, "frontend")
            shutil.copytree(src, dst, symlinks=True)
            self.fe_server = os.path.join(dst, os.path.basename(server))
            self.frontends = ["frontend-1", "frontend-2"]
            self.frontend_skip = ""
        finally:
            if fd is not None:
                os.close(fd)

    def no_frontend(self, why: str) -> None:
        self.fe_server = None
        self.frontends = []
        self.frontend_skip = f"{why}; nothing was faked"
        print(f"  frontend: {self.frontend_skip}", flush=True)

    def backend_env(self) -> dict[str, str]:
        e = dict(os.environ)
        e.update(
            DATABASE_URL=self.database_url,
            JWT_SECRET=os.urandom(32).hex(),
            CHAT_PROVIDER="local",
            WEB_CONCURRENCY=cr.env("CHAOS_WEB_CONCURRENCY", "1"),
            BACKEND_HOST="127.0.0.1",
            LOG_LEVEL="warning",
            ENV_FILE=os.devnull,
        )
        return e

    def wait_all(self, urls: list[str], within: float) -> None:
        probe = cr.Probe(cr.env("PROBE", "build/bin/probe"))
        if probe.supports("wait"):
            cmd = [probe.path, "wait", *urls, "--deadline", f"{int(within)}s", "--interval", "200ms"]
            print(f"  $ {shlex.join(cmd)}", flush=True)
            try:
                p = subprocess.run(cmd, capture_output=True, text=True, timeout=within + 10)
            except OSError as e:  # e.g. being relinked right now: wait without it
                print(f"  (probe unusable: {e}; waiting with a plain HTTP loop)", flush=True)
                p = None
            if p is not None and p.returncode == 0:
                return
            if p is not None:
                raise RuntimeError(
                    f"the stack did not become ready: {(p.stdout + p.stderr).strip()[-800:]}\n" + self.logs()
                )
        for u in urls:
            if cr.wait_until(lambda u=u: cr.http("GET", u, timeout=2)["outcome"] == "ok", within, 0.2) is None:
                raise RuntimeError(f"{u} did not become ready within {within:.0f} s\n" + self.logs())

    def logs(self) -> str:
        out = []
        for f in sorted(Path(self.state).glob("*.log")):
            out.append(f"--- {f.name} (last lines)\n" + "\n".join(f.read_text(errors="replace").splitlines()[-15:]))
        return "\n".join(out)

    def write_haproxy(self) -> None:
        servers = "\n".join(f"    server {n} 127.0.0.1:{self.ports[n]} check" for n in self.backends)
        cfg = HAPROXY_CFG.format(sock=self.sock, lb=self.ports["lb"], servers=servers)
        if self.fe_server:
            cfg += HAPROXY_FE.format(
                lb=self.ports["web"],
                servers="\n".join(f"    server {n} 127.0.0.1:{self.ports[n]} check" for n in self.frontends),
            )
        Path(self.state, "haproxy.cfg").write_text(cfg)

    def plan(self, runner: Any) -> None:
        print("  would start (all on 127.0.0.1, free ports):", flush=True)
        runner.show(["mk/scripts/pg-temp.sh", "start", "<state>/pg"], "private PostgreSQL")
        runner.show("make backend-migrate  (or: alembic upgrade head)", "migrations")
        runner.show(
            "make backend-run BACKEND_PORT=<p1> & make backend-run BACKEND_PORT=<p2>",
            "two backends under the supervisor (restart after CHAOS_RESTART_DELAY)",
        )
        runner.show("haproxy -f <state>/haproxy.cfg -db", "LB, health checks GET /ready every 1 s")
        if self.fe_server:
            runner.show(f"node {self.fe_server} (x2, PORT=<f1>/<f2>)", "frontends behind HAProxy")
        else:
            print(f"  frontend: {self.frontend_skip}", flush=True)

    def teardown(self) -> None:
        self.sup.stop()
        if self.haproxy and self.haproxy.poll() is None:
            self.haproxy.terminate()
            try:
                self.haproxy.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.haproxy.kill()
        if os.path.isdir(self.pg_dir):
            subprocess.run([str(HERE / "pg-temp.sh"), "stop", self.pg_dir], capture_output=True, timeout=60)

    # -- HAProxy's runtime API (what `echo CMD | socat stdio unix:SOCK` does)
    def lb(self, runner: Any, command: str, note: str = "", quiet: bool = False) -> str:
        if not quiet:
            runner.show(f"echo '{command}' | socat stdio unix:{self.sock}", note)
        if self.dry:
            return ""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(5)
            s.connect(self.sock)
            s.sendall((command + "\n").encode())
            chunks = []
            while True:
                b = s.recv(65536)
                if not b:
                    break
                chunks.append(b)
        return b"".join(chunks).decode(errors="replace")

    def lb_server(self, runner: Any, backend: str, server: str) -> dict[str, str]:
        out = self.lb(runner, "show stat", quiet=True).splitlines()
        head = out[0].lstrip("# ").split(",")
        for line in out[1:]:
            row = dict(zip(head, line.split(","), strict=False))
            if row.get("pxname") == backend and row.get("svname") == server:
                return row
        return {}

    # -- the faults
    def replicas(self, component: str) -> list[str]:
        return self.backends if component == "backend" else self.frontends

    def kill_argv(self, replica: str) -> list[str]:
        slot = self.sup.slots.get(replica)
        return ["kill", "-TERM", "--", f"-{(slot.pid if slot else 0) or '<pgid>'}"]

    def prepare_kill(self, component: str, replica: str) -> None:
        """Remembers which process is being killed and, like the kubelet after
        terminationGracePeriodSeconds, SIGKILLs its group if SIGTERM did not end it."""
        slot = self.sup.slots.get(replica)
        if self.dry or not slot or not slot.proc:
            return
        self.gen_at_kill[replica] = slot.generation
        proc = slot.proc
        cancel = threading.Event()
        self.cancel_kill[replica] = cancel

        def hard_kill() -> None:
            try:
                proc.wait(timeout=self.grace)
            except subprocess.TimeoutExpired:
                if cancel.is_set():
                    return
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

        threading.Thread(target=hard_kill, daemon=True).start()

    def disarm(self, replica: str) -> None:
        ev = self.cancel_kill.pop(replica, None)
        if ev:
            ev.set()

    def recover_plan(self, component: str, replica: str) -> tuple[str, list[str]] | None:
        path = "/ready" if component == "backend" else "/api/healthz"
        return f"http://127.0.0.1:{self.ports.get(replica, '<port>')}{path}", self.kill_argv(replica)

    def kill(self, runner: Any, component: str, replica: str) -> None:
        argv = self.kill_argv(replica)
        self.prepare_kill(component, replica)
        runner.run(argv, f"kill {replica} (its process group)", check=False)

    def port_ready(self, replica: str) -> bool:
        path = "/ready" if replica.startswith("backend") else "/api/healthz"
        return cr.http("GET", f"http://127.0.0.1:{self.ports[replica]}{path}", timeout=1)["outcome"] == "ok"

    def kill_details(self, replica: str, t_kill: float) -> dict[str, Any]:
        """When the killed process exited and its replacement started, relative to the kill."""
        slot = self.sup.slots.get(replica)
        if not slot or not slot.exits:
            return {}
        last = slot.exits[-1]
        return {
            "exited_after_s": cr.r3(last["at"] - t_kill),
            "restarted_after_s": cr.r3(slot.started_at - t_kill) if slot.started_at > t_kill else None,
            "exit_code": last["code"],
        }

    def replica_back(self, component: str, replica: str) -> bool:
        slot = self.sup.slots[replica]
        return slot.generation > self.gen_at_kill.get(replica, 0) and self.port_ready(replica)

    def restart_count(self, component: str) -> int:
        return self.sup.restarts(component)

    def readiness_failing(self) -> bool:
        return not any(self.port_ready(b) for b in self.backends)

    def db_stop(self, runner: Any) -> None:
        runner.run(
            as_pg([f"{pg_bin()}/pg_ctl", "-D", f"{self.pg_dir}/data", "-m", "fast", "-w", "stop"]), "database down"
        )

    def db_start(self, runner: Any) -> None:
        runner.run([str(HERE / "pg-temp.sh"), "start", self.pg_dir], "database back (same port)", timeout=120)

    def direct_api_urls(self) -> list[tuple[str, str]]:
        return [(f"direct-{b}", f"http://127.0.0.1:{self.ports.get(b, f'<{b}-port>')}") for b in self.backends]

    def rolling_update(self, runner: Any, tl: Any) -> None:
        """One backend after the other: drain it in the LB, SIGTERM it, let the supervisor start
        the new one, wait until it is ready and the LB's health check has it UP again."""
        for b in self.backends:
            self.lb(runner, f"set server backends/{b} state drain", f"drain {b}: no new requests")
            if not self.dry:
                cr.wait_until(lambda b=b: self.lb_server(runner, "backends", b).get("scur", "0") == "0", 5, 0.05)
            self.kill(runner, "backend", b)
            if not self.dry:
                if cr.wait_until(lambda b=b: self.replica_back("backend", b), 60, 0.1) is None:
                    raise RuntimeError(f"{b} did not come back within 60 s")
            self.lb(runner, f"set server backends/{b} state ready", f"{b} back in rotation")
            if not self.dry:
                if (
                    cr.wait_until(
                        lambda b=b: self.lb_server(runner, "backends", b).get("status", "").startswith("UP"), 30, 0.05
                    )
                    is None
                ):
                    raise RuntimeError(f"HAProxy did not mark {b} UP within 30 s")
            tl.event("rolling-update", "info", f"{b} replaced")

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "api_url": self.api_url,
            "frontend_url": self.frontend_url,
            "backends": {b: self.ports.get(b) for b in self.backends},
            "frontends": {f: self.ports.get(f) for f in self.frontends},
            "frontend_skip": self.frontend_skip,
            "backend_cmd": shlex.join(self.backend_cmd),
            "load_balancer": "HAProxy, GET /ready every 1 s (timeout 2 s), fall 2 rise 2, retry-on conn-failure, redispatch",
            "restart_delay_s": self.sup.restart_delay,
            "backend_restarts_total": self.sup.restarts("backend"),
        }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=cr.env("CHAOS_OUT", "build/chaos"))
    args = ap.parse_args()
    try:
        cfg = cr.Config()
    except ValueError as e:
        print(f"chaos-native: {e}", file=sys.stderr)
        return 2
    for tool in ("haproxy",):
        if not cfg.dry_run and not shutil.which(tool):
            print(f"chaos-native: {tool} not found (apt-get install {tool}; `make deps` does it)", file=sys.stderr)
            return 2

    def on_signal(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)

    state = tempfile.mkdtemp(prefix="chaos-native.", dir="/tmp")
    os.chmod(state, 0o755)
    target = NativeTarget(state, cfg.dry_run)
    rc = 2
    try:
        rc = cr.run_chaos(target, cfg, args.out)
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        print(f"chaos-native: {e}", file=sys.stderr)
        rc = 2
    except KeyboardInterrupt as e:
        print(f"chaos-native: interrupted ({e}); stopping everything", file=sys.stderr)
        rc = 130
    finally:
        target.teardown()
        keep = cr.env("CHAOS_KEEP_STATE", "0") not in ("0", "")
        if rc != 0 and not cfg.dry_run:
            print(f"chaos-native: logs of the native processes:\n{target.logs()}", file=sys.stderr)
        if not keep:
            shutil.rmtree(state, ignore_errors=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
