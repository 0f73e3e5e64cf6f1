"""The chaos scenarios against the stack running natively on this machine.

    python3 -m chaos native [--out build/chaos]

Starts, all on 127.0.0.1 and free ports: a private PostgreSQL (mk/scripts/pg-temp.sh), the
migrations (`make backend-migrate`), two backend processes (`make backend-run`, one uvicorn worker
each) under a small supervisor that restarts a killed one after CHAOS_RESTART_DELAY (the
kubelet's part), HAProxy in front of them with active health checks on /ready (the Service's
part), and two frontends (the Next.js standalone build, `make frontend-build`) behind it. Then it
runs the same scenarios, verdicts and report as `make chaos-test` (chaos.scenarios); only the
fault commands differ: `kill -TERM -- -PGID` for a pod, `pg_ctl stop` for the database, drain in
HAProxy + restart one backend after the other for the rolling update. A piece that is missing
or does not start (the frontend build included) fails the run, saying which. Everything it
started is stopped on exit, also on failure or Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
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
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from chaos.config import from_env
from chaos.runner import stop_on_sigterm
from chaos.scenarios import run_chaos
from chaos.supervisor import Slot, Supervisor
from chaos.targets import Target
from chaos.traffic import http
from chaos.util import env, parse_duration, r3, wait_until

ROOT = Path(__file__).resolve().parents[2]
PG_TEMP = ROOT / "mk/scripts/pg-temp.sh"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def as_pg(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def pg_bin() -> str:
    for d in sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True):
        if (d / "pg_ctl").exists():
            return str(d)
    return os.path.dirname(shutil.which("pg_ctl") or "/usr/bin/pg_ctl")


def frontend_build() -> str:
    """Where `make frontend-build` lays out the Next.js standalone server, as the image holds it
    (static files included): $FRONTEND_BUILD/standalone/server.js."""
    return os.path.join(env("FRONTEND_BUILD", str(ROOT / "build/frontend")), "standalone", "server.js")


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


class NativeTarget(Target):
    """The native stack: processes under the supervisor, HAProxy, pg-temp's PostgreSQL.
    backend_env: settings added to the backends' environment (the soak's sign-in limit)."""

    name = "native"

    def __init__(self, state: str, dry_run: bool, backend_env: dict[str, str] | None = None) -> None:
        self.state = state
        self.dry = dry_run
        self.extra_env = dict(backend_env or {})
        self.sup = Supervisor(parse_duration(env("CHAOS_RESTART_DELAY", "500ms")))
        self.grace = parse_duration(env("CHAOS_GRACE", "10s"))
        self.ports: dict[str, int] = {}
        self.pg_dir = os.path.join(state, "pg")
        self.sock = os.path.join(state, "haproxy.sock")
        self.haproxy: subprocess.Popen[bytes] | None = None
        self.gen_at_kill: dict[str, int] = {}
        self.cancel_kill: dict[str, threading.Event] = {}
        self.database_url = ""
        self.fe_server = ""
        self.backends = ["backend-1", "backend-2"]
        self.frontends = ["frontend-1", "frontend-2"]
        self.api_url = "http://127.0.0.1:<lb>"
        self.frontend_url = "http://127.0.0.1:<web>" if dry_run else None
        self.backend_cmd: list[str] = []
        self.notes: list[str] = []

    # -- bring the stack up
    def setup(self, runner: Any) -> None:
        if self.dry:
            self.plan(runner)
            return
        for n in self.backends + self.frontends + ["lb", "web"]:
            self.ports[n] = free_port()
        self.snapshot_frontend()
        os.makedirs(self.pg_dir, exist_ok=True)
        print("  starting PostgreSQL, 2 backends, HAProxy, 2 frontends", flush=True)
        out = subprocess.run([str(PG_TEMP), "start", self.pg_dir], capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise RuntimeError(f"pg-temp.sh start failed: {out.stderr.strip()[-800:]}")
        self.database_url = out.stdout.strip().split("=", 1)[1]
        benv = self.backend_env()
        mig = ["make", "--no-print-directory", "-s", "backend-migrate"]
        p = subprocess.run(mig, cwd=str(ROOT), env=benv, capture_output=True, text=True, timeout=300)
        if p.returncode != 0:
            raise RuntimeError(f"migrations failed: {shlex.join(mig)}\n{(p.stdout + p.stderr)[-1500:]}")
        self.backend_cmd = ["make", "--no-print-directory", "-s", "backend-run"]
        for name in self.backends:
            e = dict(benv, BACKEND_PORT=str(self.ports[name]))
            self.sup.add(Slot(name, self.backend_cmd, e, str(ROOT), os.path.join(self.state, f"{name}.log")))
        for name in self.frontends:
            e = dict(
                os.environ,
                PORT=str(self.ports[name]),
                HOSTNAME="127.0.0.1",
                NODE_ENV="production",
                BACKEND_URL=f"http://127.0.0.1:{self.ports['lb']}",
                NEXT_TELEMETRY_DISABLED="1",
            )
            if env("CHAOS_FRONTEND_IN_PLACE", "0") != "0":
                # resolve what the copy lacks from docker/frontend/node_modules, as a run in
                # place does (this hides an incomplete standalone build: the image has no such fallback)
                e["NODE_PATH"] = str(ROOT / "docker/frontend/node_modules")
            self.sup.add(
                Slot(
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
        self.frontend_url = f"http://127.0.0.1:{self.ports['web']}"
        self.check_frontend()
        print(
            f"  up: backends {', '.join(str(self.ports[n]) for n in self.backends)} behind HAProxy "
            f"{self.ports['lb']} (health checks GET /ready every 1 s, timeout 2 s, fall 2, rise 2), "
            f"frontends {', '.join(str(self.ports[n]) for n in self.frontends)} behind HAProxy {self.ports['web']}",
            flush=True,
        )

    def check_frontend(self) -> None:
        """The frontends must start and render a page; if they cannot, the run stops with the
        reason (their first error line)."""
        page = env("CHAOS_FRONTEND_PATH", "/signin")
        within = 45.0
        deadline = time.monotonic() + within
        ok = None
        crashing = False
        while time.monotonic() < deadline:
            if all(self.port_ready(f) for f in self.frontends) and (
                http("GET", f"{self.frontend_url}/api/healthz", timeout=2)["outcome"] == "ok"
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
            res = http("GET", f"{self.frontend_url}{page}", timeout=10)
            if res["outcome"] != "ok":
                why = f"the frontend starts but GET {page} answers {res['status'] or res['error']}"
        if not why:
            return
        log = Path(self.state, f"{self.frontends[0]}.log").read_text(errors="replace").splitlines()
        first = next((ln.strip() for ln in log if "Error" in ln), "")
        raise RuntimeError(
            why + (f" ({first})" if first else "") + f"; the standalone build at "
            f"{os.path.relpath(os.path.dirname(frontend_build()), ROOT)} was run from a copy, as the image runs it"
        )

    def snapshot_frontend(self) -> None:
        """A private copy of the standalone build, so that a rebuild of docker/frontend during the
        run cannot pull files from under the restarted processes. Taken under frontend-build.sh's
        lock (a build in progress is waited for, up to 10 minutes)."""
        lock_path = os.path.join(os.path.dirname(os.path.dirname(frontend_build())), "build.lock")
        fd = None
        if os.path.exists(lock_path):
            fd = os.open(lock_path, os.O_RDWR)
            deadline = time.monotonic() + 600
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        os.close(fd)
                        raise RuntimeError(
                            f"a frontend build has held {lock_path} for over 10 minutes: the frontend cannot be copied"
                        ) from None
                    time.sleep(0.5)
        try:
            server = frontend_build()
            if not os.path.isfile(server):
                raise RuntimeError(f"the frontend is not built (no {server}): run `make frontend-build`")
            dst = os.path.join(self.state, "frontend")
            shutil.copytree(os.path.dirname(server), dst, symlinks=True)
            self.fe_server = os.path.join(dst, os.path.basename(server))
        finally:
            if fd is not None:
                os.close(fd)

    def backend_env(self) -> dict[str, str]:
        e = dict(os.environ)
        e.update(
            DATABASE_URL=self.database_url,
            JWT_SECRET=os.urandom(32).hex(),
            CHAT_PROVIDER="local",
            WEB_CONCURRENCY=env("CHAOS_WEB_CONCURRENCY", "1"),
            BACKEND_HOST="127.0.0.1",
            LOG_LEVEL="warning",
            ENV_FILE=os.devnull,
        )
        e.update(self.extra_env)
        return e

    def wait_all(self, urls: list[str], within: float) -> None:
        cmd = [self.probe, "wait", *urls, "--deadline", f"{int(within)}s", "--interval", "200ms"]
        print(f"  $ {shlex.join(cmd)}", flush=True)
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=within + 10)
        if p.returncode != 0:
            raise RuntimeError(
                f"the stack did not become ready: {(p.stdout + p.stderr).strip()[-800:]}\n" + self.logs()
            )

    def logs(self) -> str:
        out = []
        for f in sorted(Path(self.state).glob("*.log")):
            out.append(f"--- {f.name} (last lines)\n" + "\n".join(f.read_text(errors="replace").splitlines()[-15:]))
        return "\n".join(out)

    def write_haproxy(self) -> None:
        servers = "\n".join(f"    server {n} 127.0.0.1:{self.ports[n]} check" for n in self.backends)
        cfg = HAPROXY_CFG.format(sock=self.sock, lb=self.ports["lb"], servers=servers)
        cfg += HAPROXY_FE.format(
            lb=self.ports["web"],
            servers="\n".join(f"    server {n} 127.0.0.1:{self.ports[n]} check" for n in self.frontends),
        )
        Path(self.state, "haproxy.cfg").write_text(cfg)

    def plan(self, runner: Any) -> None:
        print("  would start (all on 127.0.0.1, free ports):", flush=True)
        runner.show(["mk/scripts/pg-temp.sh", "start", "<state>/pg"], "private PostgreSQL")
        runner.show("make backend-migrate", "migrations")
        runner.show(
            "make backend-run BACKEND_PORT=<p1> & make backend-run BACKEND_PORT=<p2>",
            "two backends under the supervisor (restart after CHAOS_RESTART_DELAY)",
        )
        runner.show("haproxy -f <state>/haproxy.cfg -db", "LB, health checks GET /ready every 1 s")
        runner.show(
            f"node {os.path.relpath(frontend_build(), ROOT)} (a private copy, x2, PORT=<f1>/<f2>)",
            "frontends behind HAProxy",
        )

    def teardown(self) -> None:
        self.sup.stop()
        if self.haproxy and self.haproxy.poll() is None:
            self.haproxy.terminate()
            try:
                self.haproxy.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.haproxy.kill()
        if os.path.isdir(self.pg_dir):
            subprocess.run([str(PG_TEMP), "stop", self.pg_dir], capture_output=True, timeout=60)

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

    def lb_drained(self, runner: Any, server: str) -> bool:
        """No request is left on that backend server."""
        return self.lb_server(runner, "backends", server).get("scur", "0") == "0"

    def lb_up(self, runner: Any, server: str) -> bool:
        """HAProxy's health check has that backend server UP."""
        return self.lb_server(runner, "backends", server).get("status", "").startswith("UP")

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
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)

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
        return http("GET", f"http://127.0.0.1:{self.ports[replica]}{path}", timeout=1)["outcome"] == "ok"

    def kill_details(self, replica: str, t_kill: float) -> dict[str, Any]:
        """When the killed process exited and its replacement started, relative to the kill."""
        slot = self.sup.slots.get(replica)
        if not slot or not slot.exits:
            return {}
        last = slot.exits[-1]
        return {
            "exited_after_s": r3(last["at"] - t_kill),
            "restarted_after_s": r3(slot.started_at - t_kill) if slot.started_at > t_kill else None,
            "exit_code": last["code"],
        }

    def replica_back(self, component: str, replica: str) -> bool:
        slot = self.sup.slots[replica]
        return slot.generation > self.gen_at_kill.get(replica, 0) and self.port_ready(replica)

    def restart_count(self, component: str) -> int:
        return self.sup.restarts(component)

    def readiness_failing(self) -> bool:
        return not any(self.port_ready(b) for b in self.backends)

    def steady(self) -> bool:
        return all(self.port_ready(n) for n in self.backends + self.frontends) and (
            http("GET", f"{self.api_url}/ready", timeout=2)["outcome"] == "ok"
        )

    def db_stop(self, runner: Any) -> None:
        runner.run(
            as_pg([f"{pg_bin()}/pg_ctl", "-D", f"{self.pg_dir}/data", "-m", "fast", "-w", "stop"]), "database down"
        )

    def db_start(self, runner: Any) -> None:
        runner.run([str(PG_TEMP), "start", self.pg_dir], "database back (same port)", timeout=120)

    def process_roots(self) -> dict[str, int]:
        """The root process of each component (the soak samples it and its descendants): the
        supervised backends and frontends, PostgreSQL's postmaster, HAProxy."""
        roots = {name: slot.pid for name, slot in self.sup.slots.items()}
        roots["postgresql"] = int(Path(self.pg_dir, "data", "postmaster.pid").read_text().split()[0])
        if self.haproxy:
            roots["haproxy"] = self.haproxy.pid
        return roots

    def direct_api_urls(self) -> list[tuple[str, str]]:
        return [(f"direct-{b}", f"http://127.0.0.1:{self.ports.get(b, f'<{b}-port>')}") for b in self.backends]

    def rolling_update(self, runner: Any, tl: Any) -> None:
        """One backend after the other: drain it in the LB, SIGTERM it, let the supervisor start
        the new one, wait until it is ready and the LB's health check has it UP again."""
        for b in self.backends:
            self.lb(runner, f"set server backends/{b} state drain", f"drain {b}: no new requests")
            if not self.dry:
                wait_until(partial(self.lb_drained, runner, b), 5, 0.05)
            self.kill(runner, "backend", b)
            if not self.dry and wait_until(partial(self.replica_back, "backend", b), 60, 0.1) is None:
                raise RuntimeError(f"{b} did not come back within 60 s")
            self.lb(runner, f"set server backends/{b} state ready", f"{b} back in rotation")
            if not self.dry and wait_until(partial(self.lb_up, runner, b), 30, 0.05) is None:
                raise RuntimeError(f"HAProxy did not mark {b} UP within 30 s")
            tl.event("rolling-update", "info", f"{b} replaced")

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "api_url": self.api_url,
            "frontend_url": self.frontend_url,
            "backends": {b: self.ports.get(b) for b in self.backends},
            "frontends": {f: self.ports.get(f) for f in self.frontends},
            "backend_cmd": shlex.join(self.backend_cmd),
            "load_balancer": "HAProxy, GET /ready every 1 s (timeout 2 s), fall 2 rise 2, "
            "retry-on conn-failure, redispatch",
            "restart_delay_s": self.sup.restart_delay,
            "backend_restarts_total": self.sup.restarts("backend"),
        }


def with_native_stack(
    name: str, dry_run: bool, backend_env: dict[str, str] | None, body: Callable[[NativeTarget], int]
) -> int:
    """Runs body(target) with a NativeTarget whose processes, whatever happens (failure, Ctrl-C,
    SIGTERM), are all stopped afterwards; their logs are printed when body did not return 0.
    The exit status: body's, 2 on a setup error, 130 when interrupted."""
    if not dry_run and not shutil.which("haproxy"):
        print(f"{name}: haproxy not found (apt-get install haproxy; `make deps` does it)", file=sys.stderr)
        return 2

    stop_on_sigterm()
    state = tempfile.mkdtemp(prefix="chaos-native.", dir="/tmp")
    os.chmod(state, 0o755)  # noqa: S103 - the postgres user reaches its database folder in it
    target = NativeTarget(state, dry_run, backend_env)
    rc = 2
    try:
        rc = body(target)
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        print(f"{name}: {e}", file=sys.stderr)
        rc = 2
    except KeyboardInterrupt as e:
        print(f"{name}: interrupted ({e}); stopping everything", file=sys.stderr)
        rc = 130
    finally:
        target.teardown()
        if rc != 0 and not dry_run:
            print(f"{name}: logs of the native processes:\n{target.logs()}", file=sys.stderr)
        if env("CHAOS_KEEP_STATE", "0") in ("0", ""):
            shutil.rmtree(state, ignore_errors=True)
    return rc


def add_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--out", default=env("CHAOS_OUT", "build/chaos"))


def main(args: argparse.Namespace) -> int:
    cfg = from_env("chaos native")
    if cfg is None:
        return 2
    return with_native_stack("chaos native", cfg.dry_run, None, lambda target: run_chaos(target, cfg, args.out))
