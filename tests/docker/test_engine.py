"""`make docker-engine-down` stops the private engine and restores the host: no process, mount,
network device or firewall chain of it is left (compared with what tests/docker/run.sh recorded
before the engine started). Runs last: the other tests need the engine."""

from __future__ import annotations

import subprocess
from pathlib import Path

from dockerlib import ENGINE_DIR, ROOT, run


def links() -> set[str]:
    out = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True, check=True).stdout
    return {line.split(": ")[1].split("@")[0] for line in out.splitlines()}


def test_engine_down_leaves_no_process_mount_device_or_chain() -> None:
    before_file = ENGINE_DIR / "links.before"
    assert before_file.exists(), "tests/docker/run.sh records the network devices before the engine starts"
    before = set(before_file.read_text().split())
    data_root = (ENGINE_DIR / "data-root").read_text().strip()

    run(["make", "-s", "docker-engine-down"], cwd=ROOT, timeout=120)

    procs = []
    for p in Path("/proc").glob("[0-9]*"):
        try:
            cmd = (p / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(ENGINE_DIR) in cmd:
            procs.append(f"{p.name}: {cmd[:120]}")
    assert procs == [], f"processes of the engine left: {procs}"
    # under one of our directories: another checkout's engine may use ".../engine-<name>" beside ours
    roots = (str(ENGINE_DIR), data_root)
    mounts = [
        m
        for m in (line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines())
        if any(m == r or m.startswith(r + "/") for r in roots)
    ]
    assert mounts == [], f"mounts left: {mounts}"
    assert links() - before == set(), f"network devices left: {links() - before}"
    chains = subprocess.run(["iptables", "-w", "-S"], capture_output=True, text=True, check=True).stdout
    assert "TODO-DOCKER-TEST" not in chains, "the engine's firewall chain is left"
    assert not (ENGINE_DIR / "docker.sock").exists()
