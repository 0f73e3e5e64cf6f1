"""Resources of a running stack, sampled by the soak: each component's memory and CPU, and the
open connections to PostgreSQL.

- native: /proc of the processes (PSS from smaps_rollup, so pages shared between a component's
  processes, PostgreSQL's shared buffers for one, are counted once; utime + stime for CPU);
- compose: `docker stats` (the memory Docker reports: the container's cgroup usage without its
  inactive page cache; CPU as a share of one core);
- helm and k8s: the kubelet's summary API through the API server (`kubectl get --raw
  /api/v1/nodes/NODE/proxy/stats/summary`; no metrics-server needed): each pod's working set and
  CPU, and the cluster as the kubelet sees it (every pod, the kubelet, the container runtime).

A sample that cannot be taken raises RuntimeError: the soak stops instead of plotting holes.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chaos.runner import Runner

# Client connections to the database, the sampling session itself left out.
PG_CONNECTIONS_SQL = (
    "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
)
# psql inside the database container, with the credentials of the container's own environment.
PG_IN_CONTAINER = f'psql -At -U "$POSTGRES_USER" -d "$POSTGRES_DB" -c "{PG_CONNECTIONS_SQL}"'


@dataclass
class Sample:
    """One reading: memory in bytes and CPU in cores per component; the cluster's memory when
    the target is a cluster."""

    memory: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    cluster_memory: float | None = None


class Sampler:
    """What every target's sampler answers."""

    how = ""  # how memory and CPU are measured, for the report

    def sample(self) -> Sample:
        raise NotImplementedError

    def pg_connections(self) -> int:
        raise NotImplementedError


def parse_count(text: str, what: str) -> int:
    """The single number psql -At printed."""
    value = text.strip().splitlines()[-1].strip() if text.strip() else ""
    if not value.isdigit():
        raise RuntimeError(f"{what}: expected a number, got {text.strip()[:200]!r}")
    return int(value)


# ---------------------------------------------------------------- native: /proc


@dataclass
class Proc:
    pid: int
    ppid: int
    pgid: int
    start: int  # clock ticks after boot: a pid reused by a new process has another start
    cpu_ticks: int


def read_proc(pid: int) -> Proc | None:
    """/proc/PID/stat, or None when the process is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # the command name is in parentheses and may contain spaces: fields start after the last ')'
    rest = raw[raw.rindex(")") + 2 :].split()
    return Proc(pid, int(rest[1]), int(rest[2]), int(rest[19]), int(rest[11]) + int(rest[12]))


def pss_bytes(pid: int) -> int | None:
    """Proportional set size of a process (shared pages divided among their users); None when
    the process is gone."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    m = re.search(r"^Pss:\s+(\d+) kB", text, re.M)
    if not m:
        raise RuntimeError(f"/proc/{pid}/smaps_rollup has no Pss line")
    return int(m.group(1)) * 1024


class ProcSampler(Sampler):
    """Processes of this machine. A component is a root pid and every descendant; `roots` is
    asked at each sample, since a supervised process is replaced when it restarts.
    `database_url` is where psql counts the connections."""

    how = "native: PSS of each component's processes (/proc/PID/smaps_rollup), CPU from /proc/PID/stat"

    def __init__(self, roots: Callable[[], dict[str, int]], database_url: Callable[[], str]) -> None:
        self.roots = roots
        self.database_url = database_url
        self.ticks = os.sysconf("SC_CLK_TCK")
        self.prev: dict[int, tuple[int, int]] = {}  # pid -> (start, cpu ticks) at the last sample
        self.prev_t = 0.0

    def pg_connections(self) -> int:
        return psql_count(self.database_url())

    def sample(self) -> Sample:
        procs = {p.pid: p for p in (read_proc(int(d)) for d in os.listdir("/proc") if d.isdigit()) if p}
        children: dict[int, list[int]] = {}
        for p in procs.values():
            children.setdefault(p.ppid, []).append(p.pid)
        now = time.monotonic()
        dt = now - self.prev_t if self.prev_t else 0.0
        out = Sample()
        seen: dict[int, tuple[int, int]] = {}
        for name, root in self.roots().items():
            if root not in procs:
                raise RuntimeError(f"{name}: its process {root} is gone")
            tree, todo = [], [root]
            while todo:
                pid = todo.pop()
                tree.append(pid)
                todo += children.get(pid, [])
            mem = 0
            ticks = 0
            for pid in tree:
                pss = pss_bytes(pid)
                if pss is None:  # exited since the listing
                    continue
                mem += pss
                p = procs[pid]
                before = self.prev.get(pid)
                ticks += p.cpu_ticks - (before[1] if before and before[0] == p.start else 0)
                seen[pid] = (p.start, p.cpu_ticks)
            out.memory[name] = float(mem)
            out.cpu[name] = ticks / self.ticks / dt if dt > 0 else 0.0
        self.prev, self.prev_t = seen, now
        return out


# ---------------------------------------------------------------- compose: docker stats

UNITS = {
    "b": 1,
    "kb": 1e3,
    "mb": 1e6,
    "gb": 1e9,
    "tb": 1e12,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
}


def parse_size(text: str) -> float:
    """'38.5MiB', '1.2GB', '512B', '4GB' -> bytes."""
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([KMGT]?i?B)\s*", text, re.I)
    if not m:
        raise ValueError(f"not a size: {text!r} (write 512MiB, 4GB, ...)")
    return float(m.group(1)) * UNITS[m.group(2).lower()]


def parse_docker_stats(lines: str) -> Sample:
    """`docker stats --no-stream --format '{{json .}}'` output -> memory and CPU per container."""
    out = Sample()
    for line in lines.splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        used = row["MemUsage"].split("/")[0]
        out.memory[row["Name"]] = parse_size(used)
        out.cpu[row["Name"]] = float(row["CPUPerc"].rstrip("%")) / 100.0
    return out


class ComposeSampler(Sampler):
    """The running containers of the Compose project (docker stats) and psql in its postgres."""

    how = "compose: docker stats (memory: cgroup usage without inactive page cache; CPU: share of one core)"

    def __init__(self, compose: list[str]) -> None:
        self.dc = compose

    def sample(self) -> Sample:
        ids = Runner.output([*self.dc, "ps", "-q"]).split()
        if not ids:
            raise RuntimeError("the Compose stack has no running container (make up)")
        return parse_docker_stats(Runner.output(["docker", "stats", "--no-stream", "--format", "{{json .}}", *ids]))

    def pg_connections(self) -> int:
        out = Runner.output([*self.dc, "exec", "-T", "postgres", "sh", "-c", PG_IN_CONTAINER])
        return parse_count(out, "PostgreSQL connections (compose exec postgres psql)")


# ---------------------------------------------------------------- helm / k8s: the kubelet's summary API


def parse_summary(summary: dict[str, Any], pods: set[str], namespace: str) -> Sample:
    """One node's stats/summary -> the given pods' working set and CPU, and the node's part of
    the cluster: the kubelet, the container runtime and every pod ("pods" system container, or
    the sum of the pods when the kubelet does not report it)."""
    out = Sample()
    all_pods = 0.0
    for p in summary.get("pods", []):
        ref = p.get("podRef", {})
        mem = (p.get("memory") or {}).get("workingSetBytes")
        if mem is None:  # older kubelets: the containers only
            mem = sum((c.get("memory") or {}).get("workingSetBytes", 0) for c in p.get("containers", []))
        all_pods += mem
        if ref.get("namespace") == namespace and ref.get("name") in pods:
            nano = (p.get("cpu") or {}).get("usageNanoCores")
            if nano is None:
                nano = sum((c.get("cpu") or {}).get("usageNanoCores", 0) for c in p.get("containers", []))
            out.memory[ref["name"]] = float(mem)
            out.cpu[ref["name"]] = nano / 1e9
    system = {
        c.get("name"): (c.get("memory") or {}).get("workingSetBytes")
        for c in summary["node"].get("systemContainers", [])
    }
    pods_total = system.get("pods")
    out.cluster_memory = float(
        (pods_total if pods_total is not None else all_pods)
        + (system.get("kubelet") or 0)
        + (system.get("runtime") or 0)
    )
    return out


class KubeSampler(Sampler):
    """The release's pods (label app.kubernetes.io/instance=RELEASE) on every node, from the
    kubelet's summary API, and psql in the PostgreSQL pod."""

    how = (
        "helm/k8s: kubelet summary API via the API server (memory: working set; CPU: usageNanoCores); "
        "cluster: every pod plus the kubelet and the container runtime on every node"
    )

    def __init__(self, namespace: str, selector: str, db_selector: str) -> None:
        self.ns, self.selector, self.db_selector = namespace, selector, db_selector

    def k(self, *args: str) -> list[str]:
        return ["kubectl", "-n", self.ns, *args]

    def sample(self) -> Sample:
        pods = set(
            Runner.output(
                self.k(
                    "get",
                    "pods",
                    "-l",
                    self.selector,
                    "--field-selector=status.phase=Running",
                    "-o",
                    "jsonpath={.items[*].metadata.name}",
                )
            ).split()
        )  # Running only: a finished helm test Pod shares the release label and has no stats
        if not pods:
            raise RuntimeError(f"no running pod matches {self.selector} in namespace {self.ns}")
        nodes = Runner.output(["kubectl", "get", "nodes", "-o", "jsonpath={.items[*].metadata.name}"]).split()
        out = Sample(cluster_memory=0.0)
        for node in nodes:
            raw = Runner.output(["kubectl", "get", "--raw", f"/api/v1/nodes/{node}/proxy/stats/summary"])
            part = parse_summary(json.loads(raw), pods, self.ns)
            out.memory.update(part.memory)
            out.cpu.update(part.cpu)
            out.cluster_memory = (out.cluster_memory or 0.0) + (part.cluster_memory or 0.0)
        missing = sorted(pods - set(out.memory))
        if missing:
            raise RuntimeError(f"the kubelets' summaries have no stats for {', '.join(missing)} (yet)")
        return out

    def pg_connections(self) -> int:
        pod = Runner.output(self.k("get", "pods", "-l", self.db_selector, "-o", "jsonpath={.items[0].metadata.name}"))
        if not pod.strip():
            raise RuntimeError(f"no PostgreSQL pod matches {self.db_selector} in namespace {self.ns}")
        out = Runner.output(self.k("exec", pod.strip(), "-c", "postgresql", "--", "sh", "-c", PG_IN_CONTAINER))
        return parse_count(out, f"PostgreSQL connections (kubectl exec {pod.strip()} psql)")


def psql_count(database_url: str) -> int:
    """Client connections, counted by a psql on this machine (the native stack's database); the
    password goes through the environment, never the command line."""
    u = urllib.parse.urlsplit(database_url)
    user = urllib.parse.unquote(u.username or "")
    host, port, db = u.hostname or "127.0.0.1", str(u.port or 5432), u.path.lstrip("/")
    cmd = ["psql", "-h", host, "-p", port, "-U", user, "-d", db, "-At", "-c", PG_CONNECTIONS_SQL]
    env = dict(os.environ, PGPASSWORD=urllib.parse.unquote(u.password or ""), PGCONNECT_TIMEOUT="5")
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=30, env=env)
    if p.returncode != 0:
        raise RuntimeError(f"psql -h {u.hostname} -p {u.port}: {p.stderr.strip()[-300:]}")
    return parse_count(p.stdout, "PostgreSQL connections (psql)")
