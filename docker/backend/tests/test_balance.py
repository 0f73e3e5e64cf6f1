"""Least-connections accepting between the server's workers (app/balance.py)."""

from __future__ import annotations

import asyncio
import collections
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.balance import MAX_DEFER_SECONDS, AcceptBalance, queued_connections
from app.serve import http_protocol
from tests.conftest import Server


@pytest.fixture
def peer() -> Iterator[int]:
    """The pid of another live process, standing for a second worker."""
    proc = subprocess.Popen(["sleep", "60"])
    try:
        yield proc.pid
    finally:
        proc.kill()
        proc.wait()


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def two_workers(peer: int, mine: int, theirs: int) -> AcceptBalance:
    """A balance seen from this process (claimed first), with a peer worker holding `theirs`."""
    balance = AcceptBalance(slots=4)
    assert balance.claim()
    balance._pids[1], balance._conns[1] = peer, theirs
    balance._conns[balance._slot] = mine
    return balance


@pytest.mark.parametrize(
    ("mine", "theirs", "queued", "take"),
    [
        (0, 0, 100, 50),  # a burst of new connections: half each
        (0, 0, 1, 1),
        (49, 50, 1, 1),  # the one with fewer takes the next
        (50, 49, 1, 0),  # ... the other leaves it
        (50, 50, 1, 1),  # even: whoever comes first
        (10, 40, 60, 45),  # up to an even share of all 110 (55 each)
        (40, 10, 60, 15),
    ],
)
def test_each_worker_takes_its_fair_share_of_the_waiting_connections(
    peer: int, mine: int, theirs: int, queued: int, take: int
) -> None:
    assert two_workers(peer, mine, theirs).allowance(0.0, queued) == take


def test_a_worker_leaves_connections_to_a_peer_at_most_max_defer_in_a_row(peer: int) -> None:
    balance = two_workers(peer, mine=5, theirs=0)
    assert balance.allowance(100.0, 1) == 0
    assert balance.allowance(100.0 + MAX_DEFER_SECONDS / 2, 1) == 0
    assert balance.allowance(100.0 + MAX_DEFER_SECONDS * 1.5, 1) == 1  # the peer did not take it: we do
    assert balance.allowance(200.0, 1) == 0  # a new wait starts


def test_a_dead_worker_counts_for_nothing_and_its_slot_is_taken_over() -> None:
    balance = AcceptBalance(slots=2)
    gone = dead_pid()
    balance._pids[0], balance._conns[0] = gone, 0
    balance._pids[1], balance._conns[1] = os.getppid(), 7  # alive: not taken over
    assert balance.claim()
    assert balance._slot == 0 and balance._pids[0] == os.getpid() and balance._conns[0] == 0
    assert balance.counts() == {os.getpid(): 0, os.getppid(): 7}
    balance._conns[0] = 3
    balance.release()
    assert balance._pids[0] == 0 and balance._conns[0] == 0


def test_a_worker_without_a_slot_takes_everything(peer: int) -> None:
    balance = AcceptBalance(slots=1)
    balance._pids[0] = peer
    assert not balance.claim()
    assert balance.allowance(0.0, 30) == 30
    balance.opened()  # not counted anywhere
    assert balance.counts() == {peer: 0}


def test_a_lock_left_held_by_a_killed_worker_does_not_stop_the_next(monkeypatch: pytest.MonkeyPatch) -> None:
    import app.balance

    monkeypatch.setattr(app.balance, "CLAIM_TIMEOUT_SECONDS", 0.1)
    balance = AcceptBalance(slots=2)
    assert balance._lock.acquire()  # as if its holder had died
    start = time.monotonic()
    assert not balance.claim()
    assert time.monotonic() - start < 5
    assert balance.allowance(0.0, 4) == 4  # without a slot: takes what comes


def test_without_shared_memory_several_workers_still_serve(monkeypatch: pytest.MonkeyPatch) -> None:
    import app.serve

    def no_shm(*args: object) -> None:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(app.serve, "AcceptBalance", no_shm)
    config = app.serve.ServeConfig("app.main:app", host="127.0.0.1", port=0, workers=2)
    assert config.balance is None
    assert config.get_loop_factory() is not None  # uvicorn's own choice of loop
    assert app.serve.ServeConfig("app.main:app", workers=1).balance is None


def test_connections_count_from_accept_until_connection_lost() -> None:
    balance = AcceptBalance(slots=2)
    assert balance.claim()

    class Proto(asyncio.Protocol):
        lost = 0

        def connection_lost(self, exc: Exception | None) -> None:
            Proto.lost += 1

    proto = http_protocol(Proto, balance)()
    balance.opened()
    balance.opened()
    proto.connection_lost(None)
    assert balance.counts() == {os.getpid(): 1}
    assert Proto.lost == 1


def test_the_accept_queue_length_is_read_from_the_listening_socket() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        clients = [socket.create_connection(listener.getsockname()) for _ in range(5)]
        try:
            deadline = time.monotonic() + 5
            while queued_connections(listener) < 5 and time.monotonic() < deadline:
                time.sleep(0.01)
            assert queued_connections(listener) == 5
            listener.accept()[0].close()
            assert queued_connections(listener) == 4
        finally:
            for c in clients:
                c.close()


# --- the real server with two workers ---------------------------------------------------------


def worker_pids(server: Server) -> list[int]:
    children = Path(f"/proc/{server.proc.pid}/task/{server.proc.pid}/children").read_text().split()
    return [int(p) for p in children if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()]


def wait_for_workers(server: Server, n: int, timeout: float = 60) -> None:
    """Until n workers have also loaded the MCP SDK (seconds of CPU after startup: a worker busy
    with that for over MAX_DEFER_SECONDS loses its turns, as it should)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.log_path.read_text().count('"msg": "mcp ready"') >= n:
            return
        time.sleep(0.1)
    raise AssertionError(f"{n} workers did not start: {server.log_path.read_text()}")


def worker_of_each(port: int, n: int, timeout: float = 20) -> list[str]:
    """Open n connections at once, then ask /health on each: the worker that answered each
    (the 16-hex-digit per-process prefix of its X-Request-Id)."""
    conns = [socket.create_connection(("127.0.0.1", port), timeout=timeout) for _ in range(n)]
    try:
        for c in conns:
            c.sendall(b"GET /health HTTP/1.1\r\nHost: test\r\n\r\n")
        workers = []
        for c in conns:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = c.recv(4096)
                assert chunk, "connection closed before a response"
                head += chunk
            rid = next(line for line in head.split(b"\r\n") if line.lower().startswith(b"x-request-id:"))
            workers.append(rid.split(b":", 1)[1].strip()[:16].decode())
        return workers
    finally:
        for c in conns:
            c.close()


@pytest.fixture
def srv(database_url: str, server_factory: Callable[..., Server]) -> Server:
    """The server with two workers, both started and done loading."""
    server = server_factory(DATABASE_URL=database_url, WEB_CONCURRENCY="2")
    server.wait_healthy()
    wait_for_workers(server, 2)
    return server


def test_a_burst_of_keep_alive_connections_is_shared_evenly_by_two_workers(srv: Server) -> None:
    """Without the balance, the first worker to wake accepts nearly the whole burst."""
    for _ in range(3):
        split = sorted(collections.Counter(worker_of_each(srv.port, 40)).values())
        assert len(split) == 2 and split[0] >= 17, split  # 20/20 give or take a late worker's 3
        # Let both workers see the last round's connections closed: a worker that still counts
        # its 20 open ones rightly leaves more of the next burst to the other.
        time.sleep(0.5)


def test_a_stopped_worker_does_not_hold_up_new_connections(srv: Server) -> None:
    stopped = worker_pids(srv)[0]
    os.kill(stopped, signal.SIGSTOP)
    try:
        start = time.monotonic()
        workers = worker_of_each(srv.port, 10)  # the stopped one (0 connections) is "least loaded"
        elapsed = time.monotonic() - start
    finally:
        os.kill(stopped, signal.SIGCONT)
    assert len(set(workers)) == 1
    assert elapsed < 10 * MAX_DEFER_SECONDS + 3, elapsed
