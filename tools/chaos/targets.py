"""Targets: what differs between Kubernetes (plain manifests or the chart) and Compose, namely how
to reach the app and how to break it. The native stack is in chaos.native."""

from __future__ import annotations

import datetime as dt
import json
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

from chaos.runner import Runner
from chaos.traffic import Timeline, http
from chaos.util import env, parse_duration, wait_until


class Target:
    """What differs between Kubernetes, Compose and the native stand-in: how to reach the app
    and how to break it. Subclasses fill these in."""

    name = "abstract"
    probe = "build/bin/probe"  # the run's private copy, set before setup()
    api_url = ""
    frontend_url: str | None = None
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

    def steady(self) -> bool:
        """Every replica of the backend and the frontend is ready (what a scenario starts from)."""
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

    @staticmethod
    def is_ready(p: dict[str, Any]) -> bool:
        return any(c["type"] == "Ready" and c["status"] == "True" for c in p.get("status", {}).get("conditions", []))

    def ready_count(self, component: str, exclude: set[str] | frozenset[str] = frozenset()) -> int:
        """Ready pods of a component, not terminating and not named in exclude."""
        return sum(
            1
            for p in self.pods(component)
            if p["metadata"]["name"] not in exclude and not p["metadata"].get("deletionTimestamp") and self.is_ready(p)
        )

    def replica_back(self, component: str, replica: str) -> bool:
        return self.ready_count(component, self.killed[component]) >= self.desired.get(component, 1)

    def restart_count(self, component: str) -> int:
        """Container restarts plus pods seen so far (a replaced pod counts as a restart)."""
        total = 0
        seen = self.seen_pods.setdefault(component, set())
        for p in self.pods(component):
            seen.add(p["metadata"]["name"])
            for cs in p.get("status", {}).get("containerStatuses", []):
                total += int(cs.get("restartCount", 0))
        return total + len(seen)

    def steady(self) -> bool:
        return all(self.ready_count(c) >= self.desired.get(c, 1) for c in ("backend", "frontend"))

    def readiness_failing(self) -> bool:
        return not any(self.is_ready(p) for p in self.pods("backend"))

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
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
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

    def steady(self) -> bool:
        return not self.readiness_failing() and (
            http("GET", f"{self.frontend_url}/api/healthz", timeout=2)["outcome"] == "ok"
        )

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
