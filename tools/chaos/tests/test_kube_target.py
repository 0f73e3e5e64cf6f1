"""The Kubernetes target's read side (which pods, are they back, did anything restart) against a
stand-in `kubectl` that answers from canned JSON: no cluster needed, no fault is run."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from chaos.runner import Runner
from chaos.targets import KubeTarget


def pod(name: str, ready: bool, restarts: int = 0, deleting: bool = False) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if deleting:
        meta["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    return {
        "metadata": meta,
        "status": {
            "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
            "containerStatuses": [{"restartCount": restarts}],
        },
    }


@pytest.fixture
def fake_kubectl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A `kubectl` on PATH that prints tmp/pods.json for `get pods` and logs every call."""
    script = tmp_path / "kubectl"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> {tmp_path}/calls\n'
        'case "$*" in\n'
        f'  *"get pods"*) cat {tmp_path}/pods.json ;;\n'
        '  *"jsonpath={.spec.replicas}"*) echo 2 ;;\n'
        '  *"jsonpath={.spec.ports[0].nodePort}"*) echo 30080 ;;\n'
        '  *"config current-context"*) echo kind-todo ;;\n'
        "  *) exit 0 ;;\n"
        "esac\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("NAMESPACE", "todo")
    monkeypatch.setenv("RELEASE", "todo")
    return tmp_path


def set_pods(d: Path, pods: list[dict[str, Any]]) -> None:
    (d / "pods.json").write_text(json.dumps({"items": pods}))


def test_names_follow_the_chart() -> None:
    t = KubeTarget("helm")
    assert t.deploy["backend"] == "todo-todo-app-backend"
    assert t.db_sts == "todo-todo-app-postgresql"
    assert "app.kubernetes.io/instance=todo" in t.selector["backend"]


def test_entry_is_the_frontend_nodeport(fake_kubectl: Path) -> None:
    t = KubeTarget("k8s")
    t.setup(Runner(dry_run=False))
    assert t.api_url == "http://127.0.0.1:30080"
    assert t.desired == {"backend": 2, "frontend": 2}


def test_a_killed_pod_is_back_only_when_a_new_one_is_ready(fake_kubectl: Path) -> None:
    t = KubeTarget("k8s")
    t.setup(Runner(dry_run=False))
    set_pods(fake_kubectl, [pod("b-1", True), pod("b-2", True)])
    assert t.replicas("backend") == ["b-1", "b-2"]
    t.kill(Runner(dry_run=False), "backend", "b-1")
    assert "delete pod b-1 --wait=false" in (fake_kubectl / "calls").read_text()
    set_pods(fake_kubectl, [pod("b-1", True, deleting=True), pod("b-2", True)])
    assert not t.replica_back("backend", "b-1")  # the deleted pod does not count
    set_pods(fake_kubectl, [pod("b-2", True), pod("b-3", False)])
    assert not t.replica_back("backend", "b-1")  # the new one is not Ready yet
    set_pods(fake_kubectl, [pod("b-2", True), pod("b-3", True)])
    assert t.replica_back("backend", "b-1")


def test_restarts_count_container_restarts_and_replaced_pods(fake_kubectl: Path) -> None:
    t = KubeTarget("k8s")
    set_pods(fake_kubectl, [pod("b-1", True), pod("b-2", True)])
    before = t.restart_count("backend")
    assert t.restart_count("backend") == before
    set_pods(fake_kubectl, [pod("b-1", True, restarts=1), pod("b-2", True)])
    assert t.restart_count("backend") == before + 1
    set_pods(fake_kubectl, [pod("b-1", True, restarts=1), pod("b-9", True)])
    assert t.restart_count("backend") == before + 2


def test_readiness_fails_only_when_no_backend_is_ready(fake_kubectl: Path) -> None:
    t = KubeTarget("k8s")
    set_pods(fake_kubectl, [pod("b-1", False), pod("b-2", True)])
    assert not t.readiness_failing()
    set_pods(fake_kubectl, [pod("b-1", False), pod("b-2", False)])
    assert t.readiness_failing()


def test_steady_only_when_every_desired_replica_is_ready(fake_kubectl: Path) -> None:
    # after a database outage the API answers through kept connections while the backend is
    # still out of its Service: a scenario must not start until the readiness probe puts it back
    t = KubeTarget("helm")
    t.setup(Runner(dry_run=False))  # desired 2 of each
    set_pods(fake_kubectl, [pod("p-1", True), pod("p-2", False)])
    assert not t.steady()
    set_pods(fake_kubectl, [pod("p-1", True), pod("p-2", True, deleting=True), pod("p-3", False)])
    assert not t.steady()  # a terminating pod does not count
    set_pods(fake_kubectl, [pod("p-1", True), pod("p-3", True)])
    assert t.steady()
