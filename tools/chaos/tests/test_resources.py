"""Reading memory and CPU: docker stats lines, the kubelet's summary API, this machine's /proc."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from chaos import resources


@pytest.mark.parametrize(
    ("text", "size"),
    [("512B", 512), ("38.5MiB", 38.5 * 2**20), ("1.2GB", 1.2e9), ("4GB", 4e9), ("2GiB", 2 * 2**30), ("10kB", 1e4)],
)
def test_sizes_parse_in_both_unit_systems(text: str, size: float) -> None:
    assert resources.parse_size(text) == pytest.approx(size)


@pytest.mark.parametrize("bad", ["", "12", "4 gigs", "-1MiB", "1.2.3GB"])
def test_bad_sizes_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="not a size"):
        resources.parse_size(bad)


def test_docker_stats_lines_give_memory_and_cores_per_container() -> None:
    lines = "\n".join(
        json.dumps({"Name": n, "MemUsage": m, "CPUPerc": c, "ID": "x"})
        for n, m, c in [
            ("todo-backend-1", "98.2MiB / 23.4GiB", "12.50%"),
            ("todo-postgres-1", "1.1GiB / 23.4GiB", "150%"),
        ]
    )
    s = resources.parse_docker_stats(lines + "\n")
    assert s.memory == {"todo-backend-1": pytest.approx(98.2 * 2**20), "todo-postgres-1": pytest.approx(1.1 * 2**30)}
    assert s.cpu == {"todo-backend-1": pytest.approx(0.125), "todo-postgres-1": pytest.approx(1.5)}


def pod(
    name: str, ns: str, mem: int | None, nano: int, containers: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    p: dict[str, Any] = {"podRef": {"name": name, "namespace": ns, "uid": name}, "containers": containers or []}
    p["cpu"] = {"usageNanoCores": nano}
    if mem is not None:
        p["memory"] = {"workingSetBytes": mem}
    return p


def summary(pods: list[dict[str, Any]], system: dict[str, int]) -> dict[str, Any]:
    """Shaped like GET /api/v1/nodes/NODE/proxy/stats/summary (k8s.io/kubelet stats/v1alpha1)."""
    return {
        "node": {
            "nodeName": "node-1",
            "systemContainers": [{"name": n, "memory": {"workingSetBytes": v}} for n, v in system.items()],
            "memory": {"workingSetBytes": 20 * 2**30},  # the whole machine: not the cluster
        },
        "pods": pods,
    }


def test_the_releases_pods_and_the_cluster_come_from_the_kubelet_summary() -> None:
    raw = summary(
        [
            pod("todo-todo-app-backend-1", "todo", 150 * 2**20, 250_000_000),
            pod("todo-todo-app-postgresql-0", "todo", 60 * 2**20, 10_000_000),
            pod("coredns-1", "kube-system", 20 * 2**20, 1_000_000),
            pod("other-app", "todo", 99 * 2**20, 1),
        ],
        {"kubelet": 80 * 2**20, "runtime": 40 * 2**20, "pods": 400 * 2**20, "misc": 5 * 2**30},
    )
    wanted = {"todo-todo-app-backend-1", "todo-todo-app-postgresql-0"}
    s = resources.parse_summary(raw, wanted, "todo")
    assert s.memory == {"todo-todo-app-backend-1": 150 * 2**20, "todo-todo-app-postgresql-0": 60 * 2**20}
    assert s.cpu["todo-todo-app-backend-1"] == pytest.approx(0.25)
    # every pod (the "pods" system container), the kubelet and the runtime; not misc, not the node
    assert s.cluster_memory == (400 + 80 + 40) * 2**20


def test_without_pod_level_stats_the_containers_are_summed() -> None:
    containers = [
        {"name": "a", "memory": {"workingSetBytes": 10}, "cpu": {"usageNanoCores": 5}},
        {"name": "b", "memory": {"workingSetBytes": 7}, "cpu": {"usageNanoCores": 3}},
    ]
    raw = summary([pod("p", "todo", None, 0, containers)], {})
    raw["pods"][0].pop("cpu")
    s = resources.parse_summary(raw, {"p"}, "todo")
    assert s.memory == {"p": 17} and s.cpu == {"p": pytest.approx(8e-9)}
    assert s.cluster_memory == 17  # no "pods" system container: the pods' sum


def test_psql_output_must_be_a_number() -> None:
    assert resources.parse_count("7\n", "x") == 7
    with pytest.raises(RuntimeError, match="x: expected a number"):
        resources.parse_count("psql: error: connection refused\n", "x")


def test_proc_sampler_counts_a_process_tree_and_its_cpu() -> None:
    """A child that allocates 64 MiB and spins is seen in its parent's component."""
    code = "import time\nb = bytearray(64 * 2**20)\nend = time.time() + 3\nwhile time.time() < end: pass\n"
    child = subprocess.Popen([sys.executable, "-c", code])
    try:
        sampler = resources.ProcSampler(lambda: {"me": os.getpid()}, lambda: "")
        sampler.sample()
        time.sleep(1.0)
        s = sampler.sample()
    finally:
        child.kill()
        child.wait()
    assert s.memory["me"] > 64 * 2**20
    assert 0.3 < s.cpu["me"] < 2.5  # the child spins one core (the machine may be busy)


def test_a_component_whose_process_is_gone_fails_the_sample() -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    sampler = resources.ProcSampler(lambda: {"gone": dead.pid}, lambda: "")
    with pytest.raises(RuntimeError, match=f"gone: its process {dead.pid} is gone"):
        sampler.sample()


def test_the_kube_sampler_reads_every_node_through_the_api_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stand-in kubectl answers the pod list, the node list, each node's summary and psql."""
    for node, pods in {"n1": ["todo-todo-app-backend-1"], "n2": ["todo-todo-app-postgresql-0"]}.items():
        raw = summary(
            [pod(p, "todo", 100 * 2**20, 50_000_000) for p in pods], {"pods": 300 * 2**20, "kubelet": 50 * 2**20}
        )
        (tmp_path / f"{node}.json").write_text(json.dumps(raw))
    script = tmp_path / "kubectl"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> {tmp_path}/calls\n'
        'case "$*" in\n'
        '  *"get pods -l app.kubernetes.io/instance=todo -o"*)\n'
        '    echo "todo-todo-app-backend-1 todo-todo-app-postgresql-0" ;;\n'
        '  *"get pods -l app.kubernetes.io/component=postgresql"*) echo "todo-todo-app-postgresql-0" ;;\n'
        '  *"get nodes"*) echo "n1 n2" ;;\n'
        f'  *"--raw /api/v1/nodes/n1/proxy/stats/summary"*) cat {tmp_path}/n1.json ;;\n'
        f'  *"--raw /api/v1/nodes/n2/proxy/stats/summary"*) cat {tmp_path}/n2.json ;;\n'
        '  *"exec todo-todo-app-postgresql-0 -c postgresql -- sh -c"*) echo 9 ;;\n'
        "  *) echo unexpected: $* >&2; exit 1 ;;\n"
        "esac\n"
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    sampler = resources.KubeSampler(
        "todo",
        "app.kubernetes.io/instance=todo",
        "app.kubernetes.io/component=postgresql,app.kubernetes.io/instance=todo",
    )
    s = sampler.sample()
    assert s.memory == {"todo-todo-app-backend-1": 100 * 2**20, "todo-todo-app-postgresql-0": 100 * 2**20}
    assert s.cluster_memory == 2 * (300 + 50) * 2**20
    assert sampler.pg_connections() == 9
    calls = (tmp_path / "calls").read_text()
    assert "-n todo exec todo-todo-app-postgresql-0 -c postgresql -- sh -c psql -At" in calls


def test_a_pod_the_kubelets_do_not_report_fails_the_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "n1.json").write_text(json.dumps(summary([], {})))
    script = tmp_path / "kubectl"
    script.write_text(
        '#!/bin/sh\ncase "$*" in\n  *"get pods"*) echo new-pod ;;\n  *"get nodes"*) echo n1 ;;\n'
        f"  *) cat {tmp_path}/n1.json ;;\nesac\n"
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(RuntimeError, match="no stats for new-pod"):
        resources.KubeSampler("todo", "x", "y").sample()
