"""The write-coalescing transport under uvicorn: one send per loop iteration, nothing lost."""

from __future__ import annotations

import asyncio
import socket

import pytest

from codegen.runtime.http.coalesce import FLUSH_AT, CoalescingTransport

pytestmark = pytest.mark.timeout(20)


async def _pair() -> tuple[CoalescingTransport, socket.socket]:
    ours, peer = socket.socketpair()
    peer.setblocking(False)
    transport, _ = await asyncio.get_running_loop().create_connection(
        asyncio.Protocol, sock=ours
    )
    return CoalescingTransport(transport), peer


def _pending(peer: socket.socket) -> bytes:
    try:
        return peer.recv(1 << 20)
    except BlockingIOError:
        return b""


async def _read(peer: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        await asyncio.sleep(0.01)
        data += _pending(peer)
    return data


def test_writes_of_one_iteration_leave_together() -> None:
    async def scenario() -> None:
        transport, peer = await _pair()
        transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
        transport.write(b'{"ok": true}')
        assert _pending(peer) == b""  # held until the iteration ends
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert _pending(peer) == b'HTTP/1.1 200 OK\r\n\r\n{"ok": true}'
        transport.close()
        peer.close()

    asyncio.run(scenario())


def test_a_large_burst_is_written_at_once() -> None:
    async def scenario() -> None:
        transport, peer = await _pair()
        transport.write(b"x" * FLUSH_AT)
        assert len(_pending(peer)) > 0  # flow control sees it without waiting
        transport.close()
        peer.close()

    asyncio.run(scenario())


def test_close_sends_what_is_buffered() -> None:
    async def scenario() -> None:
        transport, peer = await _pair()
        transport.write(b"last words")
        transport.close()
        assert await _read(peer, 10) == b"last words"
        peer.close()

    asyncio.run(scenario())
