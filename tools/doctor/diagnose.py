"""Reads what doctor-collect.sh stored (kubectl get ... -o json, secret key names, log tails) and
explains in plain sentences what is broken: image pull errors, CrashLoopBackOff with the last log
lines and envcheck's message, Pending with the scheduler's reason, failing probes, missing
Secrets or Secret keys, OOM kills, rejected pods (Pod Security), a failed migration Job.

Offline: tests feed it hand-written fixtures shaped like real kubectl output. Writes
DIR/diagnosis.txt too.

    python3 -m doctor DIR     exit 0 (healthy or diagnosed), 2 (unreadable input or usage)
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Obj = dict[str, Any]

ENVCHECK_LINE = re.compile(r"(error|warning): \[[a-z0-9-]+\]|entrypoint: |invalid configuration|^\s+[A-Z_]+: ")
PULL_ERRORS = ("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull")


class UnreadableError(Exception):
    """A collected file is not what kubectl writes (not JSON)."""


@dataclass
class State:
    """What doctor-collect.sh stored for one namespace."""

    dir: Path
    namespace: str
    pods: list[Obj]
    events: list[Obj]
    workloads: list[Obj]
    secrets: dict[str, set[str]]  # Secret name -> key names (never values)

    def log_tail(self, pod: str, container: str, n: int = 8) -> list[str]:
        p = self.dir / "logs" / f"{pod}_{container}.log"
        if not p.exists():
            return []
        return [line for line in p.read_text(errors="replace").splitlines() if line.strip()][-n:]

    def pod_events(self, name: str, reasons: set[str] | None = None) -> list[Obj]:
        return [
            e
            for e in self.events
            if e.get("involvedObject", {}).get("name") == name and (reasons is None or e.get("reason") in reasons)
        ]


@dataclass
class Findings:
    """(subject, sentence) in discovery order, without repeats."""

    items: list[tuple[str, str]] = field(default_factory=list)
    config_error_pods: set[str] = field(default_factory=set)  # their CreateContainerConfigError named the Secret

    def say(self, subject: str, sentence: str) -> None:
        if (subject, sentence) not in self.items:
            self.items.append((subject, sentence))

    def about(self, subject: str) -> bool:
        return any(s == subject for s, _ in self.items)


def _load_json(d: Path, name: str) -> list[Obj]:
    p = d / name
    if not p.exists():
        return []
    try:
        return list(json.loads(p.read_text()).get("items", []))
    except json.JSONDecodeError as exc:
        raise UnreadableError(f"{p}: not JSON ({exc})") from None


def load_state(d: Path) -> State:
    secrets: dict[str, set[str]] = {}
    if (d / "secret-keys.txt").exists():
        for line in (d / "secret-keys.txt").read_text().splitlines():
            parts = line.split()
            if parts:
                secrets[parts[0]] = set(parts[1:])
    return State(
        dir=d,
        namespace=(d / "namespace.txt").read_text().strip() if (d / "namespace.txt").exists() else "?",
        pods=_load_json(d, "pods.json"),
        events=_load_json(d, "events.json"),
        workloads=_load_json(d, "workloads.json"),
        secrets=secrets,
    )


def pending(pod: Obj, name: str, found: Findings) -> None:
    """Pending: the scheduler's reason (Insufficient cpu/memory, unbound PVC, taints...)."""
    status = pod.get("status", {})
    sched = {c.get("type"): c for c in status.get("conditions", [])}.get("PodScheduled")
    if status.get("phase", "Unknown") != "Pending" or not sched or sched.get("status") != "False":
        return
    msg = (sched.get("message") or sched.get("reason", "")).strip().rstrip(".")
    hint = ""
    if "Insufficient cpu" in msg or "Insufficient memory" in msg:
        hint = (
            " The nodes do not have enough free CPU or memory for the pod's requests: give the"
            " cluster more (minikube: make cluster-up MINIKUBE_CPUS=4 MINIKUBE_MEMORY=8g) or"
            " lower the requests in the values file."
        )
    elif "unbound" in msg and "PersistentVolumeClaim" in msg:
        hint = (
            " Its PersistentVolumeClaim is not bound: the cluster has no default StorageClass"
            " (kubectl get storageclass) or postgresql.persistence.storageClass names a missing one."
        )
    elif "taint" in msg:
        hint = " Every node has a taint the pod does not tolerate (values: tolerations)."
    found.say(name, f"Pod {name} is Pending and cannot be scheduled: {msg}.{hint}")


def container(cs: Obj, name: str, state: State, found: Findings) -> None:
    """One container's status: image pull errors, config errors, crash loops and OOM kills."""
    c = cs.get("name", "")
    image = cs.get("image", "")
    waiting = cs.get("state", {}).get("waiting") or {}
    reason = waiting.get("reason", "")
    message = waiting.get("message", "")
    last = cs.get("lastState", {}).get("terminated") or {}
    restarts = cs.get("restartCount", 0)

    if reason in PULL_ERRORS:
        detail = f" ({message})" if message else ""
        found.say(
            name,
            f"Pod {name} cannot pull the image {image} of container {c}: {reason}{detail}."
            " For a local cluster build the images and load them with `make build images-load`"
            " (the tag must be the TAG that was deployed, see `make version`); with a registry,"
            " check REGISTRY and the image pull secret.",
        )
    elif reason == "CreateContainerConfigError":
        found.config_error_pods.add(name)
        m = re.search(r"couldn't find key (\S+) in Secret (\S+)", message)
        m2 = re.search(r'secret "([^"]+)" not found', message)
        if m:
            found.say(
                name,
                f"Pod {name} cannot start container {c}: the Secret {m.group(2)} has no key"
                f" {m.group(1)}. Add {m.group(1)} to .env and rerun the deploy (it recreates"
                " the Secret with secretgen).",
            )
        elif m2:
            found.say(
                name,
                f"Pod {name} cannot start container {c}: the Secret {m2.group(1)} does not exist."
                " `make k8s-deploy` / `make helm-install` create it from .env.",
            )
        else:
            found.say(name, f"Pod {name} cannot start container {c}: {message or reason}.")
    elif reason == "CrashLoopBackOff" or (last and restarts > 0 and not cs.get("ready")):
        code = last.get("exitCode")
        if last.get("reason", "") == "OOMKilled":
            found.say(
                name,
                f"Container {c} of pod {name} was killed for using more memory than its limit"
                f" (OOMKilled, {restarts} restarts): raise resources.limits.memory in the values.",
            )
            return
        tail = state.log_tail(name, c)
        env_lines = [line.strip() for line in tail if ENVCHECK_LINE.search(line)]
        sentence = (
            f"Container {c} of pod {name} keeps crashing ({reason or 'restarting'},"
            f" {restarts} restarts, last exit code {code})."
        )
        if env_lines:
            sentence += (
                " The environment check refused to start it: "
                + " | ".join(env_lines).rstrip(".")
                + ". Fix these keys in .env and redeploy (the Secret is made from .env)."
            )
        elif tail:
            sentence += " Its last log lines: " + " | ".join(line.strip() for line in tail[-5:])
        else:
            sentence += f" No logs were kept: kubectl logs -n {state.namespace} {name} -c {c} --previous"
        found.say(name, sentence)


def not_ready(pod: Obj, name: str, state: State, found: Findings) -> None:
    """Running but not ready: failing probes, from the kubelet's Unhealthy events."""
    status = pod.get("status", {})
    conds = {c.get("type"): c for c in status.get("conditions", [])}
    if status.get("phase") != "Running" or conds.get("Ready", {}).get("status") != "False":
        return
    unhealthy = state.pod_events(name, {"Unhealthy"})
    if unhealthy:
        e = unhealthy[-1]
        msg = e.get("message", "").strip().rstrip(".")
        hint = ""
        component = pod.get("metadata", {}).get("labels", {}).get("app.kubernetes.io/component", "")
        if component == "backend" and "Readiness" in msg:
            hint = (
                " The backend's /ready includes a database round trip: check the PostgreSQL pod"
                " and DATABASE_URL (for Neon: ?sslmode=require and egress to port 5432)."
            )
        found.say(name, f"Pod {name} is running but not ready: {msg} (seen {e.get('count', 1)} times).{hint}")
    elif not found.about(name):
        found.say(name, f"Pod {name} is running but not ready yet (no probe failure recorded so far).")


def secret_refs(pod: Obj, name: str, state: State, found: Findings) -> None:
    """Secret keys referenced by the pod spec that the Secret does not have (no pod event needed)."""
    if name in found.config_error_pods:
        return
    spec = pod.get("spec", {})
    for ctr in spec.get("initContainers", []) + spec.get("containers", []):
        for var in ctr.get("env", []):
            ref = (var.get("valueFrom") or {}).get("secretKeyRef")
            if not ref or ref.get("optional"):
                continue
            sname, key = ref.get("name"), ref.get("key")
            if state.secrets and sname not in state.secrets:
                found.say(
                    name,
                    f"Pod {name} needs the Secret {sname}, which does not exist in {state.namespace}."
                    " `make k8s-deploy` / `make helm-install` create it from .env.",
                )
            elif state.secrets and key not in state.secrets[sname]:
                found.say(
                    name,
                    f"Pod {name} needs the key {key} of Secret {sname}, which the Secret lacks."
                    f" Add {key} to .env and redeploy.",
                )


def controller_events(state: State, found: Findings) -> None:
    """Pods that were never created (FailedCreate, e.g. Pod Security) or cannot mount a volume."""
    for e in state.events:
        obj = e.get("involvedObject", {})
        if e.get("reason") == "FailedCreate":
            msg = e.get("message", "").strip().rstrip(".")
            hint = ""
            if "PodSecurity" in msg:
                hint = " The namespace enforces the restricted Pod Security Standard and this pod spec violates it."
            found.say(
                obj.get("name", "?"),
                f"{obj.get('kind', 'Object')} {obj.get('name', '?')} cannot create pods: {msg}.{hint}",
            )
        elif e.get("reason") == "FailedMount":
            found.say(
                obj.get("name", "?"),
                f"Pod {obj.get('name', '?')} cannot mount a volume: {e.get('message', '').strip()}.",
            )


def failed_jobs(state: State, found: Findings) -> None:
    """A failed migration Job."""
    for w in state.workloads:
        if w.get("kind") != "Job":
            continue
        for c in w.get("status", {}).get("conditions", []):
            if c.get("type") == "Failed" and c.get("status") == "True":
                job = w["metadata"]["name"]
                found.say(
                    job,
                    f"Job {job} failed ({c.get('reason')}: {c.get('message', '')}); its pods' logs say why: "
                    f"kubectl logs -n {state.namespace} job/{job}",
                )


def diagnose(state: State) -> str:
    """The diagnosis as text: one sentence per problem, numbered, or why there is none."""
    found = Findings()
    for pod in state.pods:
        name = pod["metadata"]["name"]
        pending(pod, name, found)
        status = pod.get("status", {})
        for cs in status.get("initContainerStatuses", []) + status.get("containerStatuses", []):
            container(cs, name, state, found)
        not_ready(pod, name, state, found)
        secret_refs(pod, name, state, found)
    controller_events(state, found)
    failed_jobs(state, found)

    ns = state.namespace
    lines = []
    if not state.pods and not found.items:
        lines.append(
            f"There are no pods in namespace {ns}: nothing is deployed there"
            " (make k8s-deploy, or make helm-install ENV=dev; check NAMESPACE)."
        )
    elif not found.items:
        ready = sum(1 for p in state.pods if p.get("status", {}).get("phase") in ("Running", "Succeeded"))
        lines.append(
            f"No problem found: {ready} of {len(state.pods)} pods in namespace {ns} are running or completed,"
            " and every container is ready."
        )
    else:
        n = len(found.items)
        lines.append(f"The doctor found {n} problem{'s' if n != 1 else ''} in namespace {ns}:")
        lines += [f"{i}. {sentence}" for i, (_, sentence) in enumerate(found.items, 1)]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0].startswith("-"):
        print("usage: python3 -m doctor DIR   (DIR written by mk/scripts/doctor-collect.sh)", file=sys.stderr)
        return 2
    d = Path(argv[0])
    if not d.is_dir():
        print(f"doctor: {d}: no such directory (run make doctor, which collects it first)", file=sys.stderr)
        return 2
    try:
        text = diagnose(load_state(d))
    except UnreadableError as exc:
        print(f"doctor: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    with contextlib.suppress(OSError):
        (d / "diagnosis.txt").write_text(text)
    return 0
