"""uvicorn's HTTP protocol, sending what one loop iteration writes as one packet.

uvicorn writes a response's status line and headers as soon as the app sends
``http.response.start`` and the body separately, so a small JSON answer costs two
``send`` syscalls and two trips through the loopback TCP stack (the larger part of a
small request's CPU). Writes made in the same loop iteration are joined here and
flushed at the end of it; a large burst is flushed at once so flow control still
pauses the writer as before.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.auto import AutoHTTPProtocol

FLUSH_AT = 64 * 1024
"""Buffered bytes that are written at once instead of waiting for the iteration's end."""


class CoalescingTransport:
    """A transport wrapper joining the writes of one loop iteration into one."""

    def __init__(self, transport: Any) -> None:
        self._transport = transport
        self._loop = asyncio.get_running_loop()
        self._pending: list[bytes] = []
        self._size = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not data:
            return
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(bytes(data))
        self._size += len(data)
        if self._size >= FLUSH_AT:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        data = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
        self._pending = []
        self._size = 0
        if not self._transport.is_closing():
            self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class CoalescingHttpProtocol(AutoHTTPProtocol):  # type: ignore[misc, valid-type]
    """The HTTP/1.1 protocol uvicorn would pick, over a :class:`CoalescingTransport`."""

    def connection_made(self, transport: Any) -> None:
        super().connection_made(CoalescingTransport(transport))
