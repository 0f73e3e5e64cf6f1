"""The native stand-in for the kubelet's restart of a killed container.

Each slot runs one command in its own process group (so a fault can kill the whole "pod"
with `kill -TERM -- -PGID`); when it exits for any reason the slot waits `restart_delay` and
starts it again, counting restarts, until the supervisor is stopped. Used by chaos.native;
nothing here decides what to kill.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from typing import Any


class Slot:
    """One supervised process ("pod"): its command, environment, log, current pid, restarts."""

    def __init__(self, name: str, cmd: list[str], env: dict[str, str], cwd: str, log_path: str) -> None:
        self.name, self.cmd, self.env, self.cwd, self.log_path = name, cmd, env, cwd, log_path
        self.proc: subprocess.Popen[bytes] | None = None
        self.generation = 0  # 1 for the first start, +1 per restart
        self.restarts = 0
        self.retired = False  # stopped for good: never restarted
        self.started_at = 0.0  # time.time() of the latest start
        self.exits: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    @property
    def pid(self) -> int:
        with self.lock:
            return self.proc.pid if self.proc else 0

    def start(self) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child owns it; closed below
        try:
            p = subprocess.Popen(
                self.cmd,
                env=self.env,
                cwd=self.cwd,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        finally:
            log.close()
        with self.lock:
            self.proc = p
            self.generation += 1
            self.started_at = time.time()


class Supervisor:
    """Starts every slot and restarts any that exits, after restart_delay, until stop()."""

    def __init__(self, restart_delay: float, grace: float = 10.0) -> None:
        self.restart_delay, self.grace = restart_delay, grace
        self.slots: dict[str, Slot] = {}
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []

    def add(self, slot: Slot) -> None:
        self.slots[slot.name] = slot

    def _watch(self, slot: Slot) -> None:
        while not self.stopping.is_set():
            proc = slot.proc
            if proc is None:
                return
            rc = proc.wait()
            if self.stopping.is_set() or slot.retired:
                return
            slot.exits.append({"at": time.time(), "code": rc})
            # the kubelet's back-off, reduced to one fixed delay
            if self.stopping.wait(self.restart_delay):
                return
            slot.restarts += 1
            self._start(slot)

    def _start(self, slot: Slot) -> None:
        """Starts slot, retrying after restart_delay while its command cannot even be launched."""
        while not self.stopping.is_set() and not slot.retired:
            try:
                slot.start()
                return
            except OSError as e:
                slot.exits.append({"at": time.time(), "code": None, "error": str(e)})
                if self.stopping.wait(max(self.restart_delay, 0.5)):
                    return

    def start(self) -> None:
        for slot in self.slots.values():
            slot.start()
            t = threading.Thread(target=self._watch, args=(slot,), daemon=True, name=f"sup-{slot.name}")
            t.start()
            self.threads.append(t)

    def retire(self, name: str) -> None:
        """Stops one slot for good (no restart): SIGKILL its process group."""
        slot = self.slots[name]
        slot.retired = True
        p = slot.proc
        if p and p.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=5)

    def restarts(self, prefix: str = "") -> int:
        return sum(s.restarts for n, s in self.slots.items() if n.startswith(prefix))

    def stop(self) -> None:
        """SIGTERM every process group, SIGKILL what is left after the grace period."""
        self.stopping.set()
        procs = [s.proc for s in self.slots.values() if s.proc]
        for p in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        for p in procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)  # stragglers in the group, if any
            with contextlib.suppress(subprocess.TimeoutExpired):
                p.wait(timeout=2)
        # a restart that raced with stop(): its process is not in the list above
        for slot in self.slots.values():
            late = slot.proc
            if late and late not in procs and late.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(late.pid, signal.SIGKILL)
                late.wait(timeout=5)
