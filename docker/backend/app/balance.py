"""Least-connections accepting between uvicorn workers that share one listening socket.

With WEB_CONCURRENCY > 1, uvicorn's workers all listen on one socket and the kernel hands a
new connection to whichever worker calls accept() first; asyncio then accepts every connection
waiting (up to the backlog) in that one turn. Keep-alive clients stay with the worker that
accepted them, so a burst of new connections lands unevenly: 100 clients split 70/30 or 79/21
between 2 workers on the bench machine, and the clients of the fuller worker waited over twice
as long as the others (p99 1.5-2.5x p50, each worker saturating its own core).

Here each worker publishes its number of open HTTP connections in shared memory and accepts
one connection per loop turn, and only while it holds no more than the least-loaded live
worker; otherwise it leaves the connection to the others and looks again shortly. A worker
never waits longer than MAX_DEFER_SECONDS in a row (a stuck or starved peer cannot stall new
connections), dead workers are ignored, and a worker restarted by uvicorn takes over the slot
of the one it replaces.
"""

from __future__ import annotations

import asyncio
import ctypes
import multiprocessing
import os
import socket
import struct
from typing import Any

SLOTS = 64  # workers that can take part (WEB_CONCURRENCY, plus those added with SIGTTIN)
MAX_DEFER_SECONDS = 0.05
RETRY_SECONDS = 0.002
CLAIM_TIMEOUT_SECONDS = 1.0


def queued_connections(sock: socket.socket) -> int:
    """Connections waiting in a listening TCP socket's accept queue (Linux: TCP_INFO's tcpi_unacked
    for a listener); 1 where that cannot be read (it is readable, so at least one waits)."""
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 32)
        return max(1, struct.unpack_from("I", info, 24)[0])
    except (AttributeError, OSError, struct.error):
        return 1


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class AcceptBalance:
    """Per-worker open-connection counts in shared memory.

    Made in the supervisor, handed to each worker inside uvicorn's pickled Config (shared memory
    and its lock can be passed only while a process is being spawned). Each worker writes only
    its own slot; reads of the others need no lock."""

    def __init__(self, slots: int = SLOTS) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._lock = ctx.Lock()
        self._pids = ctx.RawArray(ctypes.c_long, slots)
        self._conns = ctx.RawArray(ctypes.c_long, slots)
        self._slot = -1  # this process's slot, once claimed
        self._waiting_since: float | None = None

    def claim(self) -> bool:
        """Take a free slot, or one whose worker is gone. False when all are taken: this worker
        then accepts freely (it is not counted by the others either)."""
        me = os.getpid()
        # The lock only keeps two workers from claiming the same slot; a worker killed while
        # holding it must not stop the next one from starting.
        if not self._lock.acquire(timeout=CLAIM_TIMEOUT_SECONDS):
            return False
        try:
            for i, pid in enumerate(self._pids):
                if pid == 0 or pid == me or not _alive(pid):
                    self._pids[i] = me
                    self._conns[i] = 0
                    self._slot = i
                    return True
        finally:
            self._lock.release()
        return False

    def release(self) -> None:
        if self._slot >= 0:  # only this worker writes its slot: no lock needed
            self._conns[self._slot] = 0
            self._pids[self._slot] = 0
            self._slot = -1

    def opened(self) -> None:
        if self._slot >= 0:
            self._conns[self._slot] += 1

    def closed(self) -> None:
        if self._slot >= 0:
            self._conns[self._slot] -= 1

    def counts(self) -> dict[int, int]:
        """Open connections per live worker pid."""
        return {pid: conns for pid, conns in zip(self._pids, self._conns, strict=True) if pid and _alive(pid)}

    def allowance(self, now: float, queued: int) -> int:
        """How many of the `queued` waiting connections this worker takes now: up to its fair
        share of all connections (open in every live worker, plus waiting), at least 1 after it
        has left connections to the others for MAX_DEFER_SECONDS; 0 means leave them."""
        if self._slot < 0:
            return queued
        live = self.counts()  # this worker included
        total = sum(live.values()) + queued
        take = min(queued, -(-total // len(live)) - self._conns[self._slot])  # ceil(total / workers) - mine
        if take > 0:
            self._waiting_since = None
            return take
        if self._waiting_since is None:
            self._waiting_since = now
        if now - self._waiting_since < MAX_DEFER_SECONDS:
            return 0
        self._waiting_since = None  # waited long enough: take one
        return 1


class BalancedLoop(asyncio.SelectorEventLoop):
    """asyncio's selector loop whose accept step asks AcceptBalance before each connection.

    Overrides asyncio's accept steps (BaseSelectorEventLoop._accept_connection and
    _accept_connection2, unchanged in signature since Python 3.4 and 3.7); the rest of the loop
    is asyncio's own. A connection counts from its accept() (so the others see it in the same
    turn) until its protocol's connection_lost."""

    def __init__(self, balance: AcceptBalance) -> None:
        super().__init__()
        self._balance = balance
        balance.claim()

    # asyncio calls these with the arguments _start_serving registered, positionally:
    # (protocol_factory, sock, sslcontext, server, backlog, ssl_handshake_timeout, ssl_shutdown_timeout).
    def _accept_connection(self, protocol_factory: Any, sock: socket.socket, *rest: Any) -> None:
        take = self._balance.allowance(self.time(), queued_connections(sock))
        if take == 0:
            # Not our turn: stop watching the socket (it stays readable, a level-triggered
            # watch would spin) and look again shortly.
            self._remove_reader(sock.fileno())  # type: ignore[attr-defined]
            self.call_later(RETRY_SECONDS, self._resume_accepting, protocol_factory, sock, *rest)
            return
        sslcontext, server, _backlog, *timeouts = rest
        super()._accept_connection(protocol_factory, sock, sslcontext, server, take, *timeouts)  # type: ignore[misc]

    def _accept_connection2(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        # Called (not awaited) by _accept_connection for each accepted socket.
        self._balance.opened()
        return super()._accept_connection2(*args, **kwargs)  # type: ignore[misc]

    def _resume_accepting(self, protocol_factory: Any, sock: socket.socket, *rest: Any) -> None:
        server = rest[1]
        if sock.fileno() < 0 or (server is not None and not server.is_serving()):
            return  # the server closed meanwhile
        self._start_serving(protocol_factory, sock, *rest)  # type: ignore[attr-defined]

    def close(self) -> None:
        self._balance.release()
        super().close()
