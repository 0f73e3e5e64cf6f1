"""One write per HTTP response instead of two.

uvicorn writes a response's head (status line and headers) and its body with two separate
transport.write() calls: two send() system calls, two TCP segments (TCP_NODELAY is on), and a
client that may wake up twice. CoalescingTransport sits between uvicorn's HTTP protocol and
the connection's asyncio transport and holds the first write of a loop turn until the next
write (sent together with it) or the end of the turn (sent alone), whichever comes first.
"""

from __future__ import annotations

import asyncio
from typing import Any


class CoalescingTransport:
    """Wraps an asyncio transport: write() as above; everything else is the transport's own."""

    __slots__ = ("_flush_handle", "_held", "_loop", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: bytes | None = None
        self._flush_handle: asyncio.Handle | None = None

    def _take_held(self) -> bytes | None:
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        held, self._held = self._held, None
        return held

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._held is None:
            self._held = bytes(data)
            self._flush_handle = self._loop.call_soon(self.flush)
            return
        self._transport.write(b"".join((self._take_held(), data)))  # type: ignore[arg-type]

    def writelines(self, chunks: Any) -> None:
        self.write(b"".join(chunks))

    def flush(self) -> None:
        """Send what is held now."""
        held = self._take_held()
        if held is not None:
            self._transport.write(held)

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._take_held()  # dropped with the connection
        self._transport.abort()

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + len(self._held or b"")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)
