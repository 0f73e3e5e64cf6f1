"""Shared helpers of the chart tests: render the chart with the pinned helm, walk the objects."""

from __future__ import annotations

import functools
import os
import pathlib
import subprocess

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHART = ROOT / "helm" / "todo-app"


def _tool(name: str) -> str:
    """A tool `make charts-test` builds and names in the environment (its prerequisites)."""
    path = os.environ.get(name)
    if not path:
        raise RuntimeError(f"{name} is not set: run the chart tests with `make charts-test`, which builds it")
    return path


HELM = _tool("HELM")
KUBE_SCORE = _tool("KUBE_SCORE")
KUSTOMIZE = _tool("KUSTOMIZE")
KUBELINT = _tool("KUBELINT")
SECRETGEN = _tool("SECRETGEN")
ENVCHECK = _tool("ENVCHECK")
PROMTOOL = _tool("PROMTOOL")
ENVS = ("dev", "staging", "prod")
VERSION = (ROOT / "VERSION").read_text().strip()

# Edge cases on top of a values file: name -> (values file, --set arguments).
# Where the tests' external database is (TEST-NET-3, never routed).
TEST_DB_CIDR = "203.0.113.10/32"

EDGE_CASES = {
    "dev": ("dev", ()),
    "staging": ("staging", ()),
    "prod": ("prod", ()),
    "hpa-on": ("dev", ("backend.autoscaling.enabled=true", "frontend.autoscaling.enabled=true")),
    "hpa-off-prod": ("prod", ("backend.autoscaling.enabled=false", "frontend.autoscaling.enabled=false")),
    "postgresql-off": ("dev", ("postgresql.enabled=false", f"externalDatabase.cidr={TEST_DB_CIDR}",
                               "secret.databaseUrl=postgresql://u:p@ep-x.neon.tech/todo?sslmode=require")),
    "postgresql-on-prod": ("prod", ("postgresql.enabled=true",)),
    "ingress-on-tls": ("dev", ("ingress.enabled=true", "ingress.className=nginx",
                               "ingress.tls[0].secretName=todo-tls", "ingress.tls[0].hosts[0]=todo.local")),
    "ingress-off-prod": ("prod", ("ingress.enabled=false",)),
    "existing-secret": ("dev", ("existingSecret=todo-env",)),
    "openai": ("dev", ("config.chatProvider=openai", "secret.openaiApiKey=sk-test")),
    "loadbalancer": ("dev", ("frontend.service.type=LoadBalancer",)),
    "registry": ("dev", ("image.registry=ghcr.io/example", "image.tag=0.1.0-abc1234")),
    "metrics-on": ("dev", ("metrics.serviceMonitor.enabled=true", "metrics.prometheusRule.enabled=true",
                           "metrics.dashboard.enabled=true")),
    "backup-external": ("prod", ("backup.enabled=true",)),
}


def helm(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([HELM, *args], cwd=ROOT, capture_output=True, text=True, check=check)


@functools.lru_cache(maxsize=None)
def render_text(env: str = "dev", sets: tuple[str, ...] = (), release: str = "todo",
                namespace: str = "todo") -> str:
    args = ["template", release, str(CHART), "--namespace", namespace,
            "-f", str(CHART / f"values-{env}.yaml")]
    if env == "prod":  # prod's external database must be located (values-prod.yaml)
        args += ["--set", f"externalDatabase.cidr={TEST_DB_CIDR}"]
    for s in sets:
        args += ["--set", s]
    return helm(*args).stdout


def render(env: str = "dev", sets: tuple[str, ...] = (), **kw) -> list[dict]:
    return [d for d in yaml.safe_load_all(render_text(env, tuple(sets), **kw)) if d]


def render_case(case: str) -> list[dict]:
    env, sets = EDGE_CASES[case]
    return render(env, sets)


def by_kind(docs: list[dict], kind: str) -> list[dict]:
    return [d for d in docs if d["kind"] == kind]


def one(docs: list[dict], kind: str, suffix: str = "") -> dict:
    found = [d for d in by_kind(docs, kind) if d["metadata"]["name"].endswith(suffix)]
    assert len(found) == 1, f"expected one {kind} *{suffix}, got {[d['metadata']['name'] for d in found]}"
    return found[0]


def pod_specs(docs: list[dict]):
    """(object, pod spec, pod labels) of every workload, CronJob and bare Pod."""
    for d in docs:
        if d["kind"] == "CronJob":
            t = d["spec"]["jobTemplate"]["spec"]["template"]
            yield d, t["spec"], t["metadata"].get("labels", {})
        elif d["kind"] in ("Deployment", "StatefulSet", "Job", "DaemonSet"):
            t = d["spec"]["template"]
            yield d, t["spec"], t["metadata"].get("labels", {})
        elif d["kind"] == "Pod":
            yield d, d["spec"], d["metadata"].get("labels", {})

