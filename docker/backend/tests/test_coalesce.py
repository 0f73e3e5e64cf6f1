"""A response's head and body leave in one write (app/coalesce.py)."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from app.coalesce import CoalescingTransport


class Recorder(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.events: list[str] = []

    def write(self, data: Any) -> None:
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.events.append("close")

    def abort(self) -> None:
        self.events.append("abort")

    def write_eof(self) -> None:
        self.events.append("eof")

    def get_write_buffer_size(self) -> int:
        return 0

    def is_closing(self) -> bool:
        return "close" in self.events

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return f"info:{name}"


def run_turns(body: Any) -> Recorder:
    """Run body(transport) in a loop turn, then let the loop finish its turn."""

    async def main() -> Recorder:
        rec = Recorder()
        await body(CoalescingTransport(rec, asyncio.get_running_loop()), rec)
        await asyncio.sleep(0)
        return rec

    return asyncio.run(main())


def test_head_and_body_written_in_the_same_turn_leave_together() -> None:
    async def body(t: CoalescingTransport, rec: Recorder) -> None:
        t.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
        t.write(memoryview(b"ok"))
        assert rec.writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"]

    assert len(run_turns(body).writes) == 1


def test_a_lone_write_leaves_at_the_end_of_the_turn() -> None:
    async def body(t: CoalescingTransport, rec: Recorder) -> None:
        t.write(b"head")
        assert rec.writes == [] and t.get_write_buffer_size() == 4
        await asyncio.sleep(0)
        assert rec.writes == [b"head"]
        t.write(b"chunk-1")  # a streamed response: pairs leave together, in order
        t.write(b"chunk-2")
        t.write(b"end")

    assert run_turns(body).writes == [b"head", b"chunk-1chunk-2", b"end"]


def test_close_and_write_eof_send_what_is_held_first_and_abort_drops_it() -> None:
    async def body(t: CoalescingTransport, rec: Recorder) -> None:
        t.write(b"last")
        t.close()
        t.write(b"more")
        t.write_eof()
        t.write(b"lost")
        t.abort()

    rec = run_turns(body)
    assert rec.writes == [b"last", b"more"]
    assert rec.events == ["close", "eof", "abort"]


def test_everything_else_is_the_transports_own() -> None:
    async def body(t: CoalescingTransport, rec: Recorder) -> None:
        assert t.get_extra_info("peername") == "info:peername"
        assert t.is_closing() is False

    run_turns(body)


def test_the_server_answers_keep_alive_and_pipelined_requests_whole(live_server: Any) -> None:  # type: ignore[no-untyped-def]
    """Through the real server: three requests sent at once on one connection, three whole
    responses in order."""
    with socket.create_connection(("127.0.0.1", live_server.port), timeout=10) as conn:
        conn.sendall(b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n" * 3)
        data = b""
        while data.count(b"HTTP/1.1 200 OK") < 3 or not data.endswith(b"}"):
            chunk = conn.recv(65536)
            assert chunk, data
            data += chunk
    heads = data.split(b"HTTP/1.1 ")[1:]
    assert len(heads) == 3
    assert all(h.startswith(b"200 OK\r\n") and h.rstrip().endswith(b"}") for h in heads)
