"""Commands: every fault command is printed before it runs (or instead, in a dry run)."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import tempfile
from typing import Any


class Runner:
    """Prints every command before it runs (or instead of running it, in a dry run)."""

    def __init__(self, dry_run: bool) -> None:
        self.dry_run = dry_run

    def show(self, cmd: list[str] | str, note: str = "") -> str:
        text = cmd if isinstance(cmd, str) else shlex.join(cmd)
        print(f"  $ {text}" + (f"    # {note}" if note else ""), flush=True)
        return text

    def run(
        self, cmd: list[str], note: str = "", check: bool = True, timeout: float = 300, quiet: bool = False
    ) -> subprocess.CompletedProcess[str] | None:
        if not quiet:
            self.show(cmd, note)
        if self.dry_run:
            return None
        p = subprocess.run(cmd, text=True, capture_output=True, timeout=timeout)
        if check and p.returncode != 0:
            raise RuntimeError(f"command failed ({p.returncode}): {shlex.join(cmd)}\n{p.stderr.strip()[-800:]}")
        return p

    @staticmethod
    def output(cmd: list[str], timeout: float = 30) -> str:
        """Read-only queries (kubectl get ...): not printed, run even in a dry run by callers that want it."""
        p = subprocess.run(cmd, text=True, capture_output=True, timeout=timeout)
        if p.returncode != 0:
            raise RuntimeError(f"{shlex.join(cmd)}: {p.stderr.strip()[-400:]}")
        return p.stdout


def stop_on_sigterm() -> None:
    """SIGTERM stops a run as Ctrl-C does (KeyboardInterrupt): what it started is stopped."""

    def on_signal(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)


def private_copy(probe: str) -> tuple[str, str]:
    """A private copy of probe (its folder, its path): a rebuild of build/bin/probe during a run
    must not break it. A missing probe is an error (the Make targets build it)."""
    if not os.access(probe, os.X_OK):
        raise RuntimeError(f"{probe} is missing or not executable: run `make tools`")
    folder = tempfile.mkdtemp(prefix="chaos-probe.")
    dst = os.path.join(folder, "probe")
    shutil.copy2(probe, dst)
    return folder, dst
