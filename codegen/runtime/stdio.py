"""The stdio transport: newline-delimited JSON on file descriptors 0 and 1.

Reading waits for readability and takes whatever the pipe holds (up to 256 KiB) in one
``os.read``, so a burst of pipelined requests costs one wakeup, not one per line.
Writing is batched: messages queue up and one writer task flushes everything queued in
a single write. Logs go to stderr only.

Shutdown: on EOF the server stops reading; on SIGTERM/SIGINT it keeps reading but answers
every new request with a JSON-RPC error. Either way every accepted request is answered:
those still running after ``grace`` seconds are cancelled and answered with an error.
Then the output is flushed and ``serve_stdio`` returns.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import stat
import sys
from functools import partial
from typing import TYPE_CHECKING, Any

import anyio
from mcp_foundry.runtime import wire
from mcp_foundry.runtime.errors import INVALID_REQUEST, RpcError
from mcp_foundry.runtime.wire import RequestId

if TYPE_CHECKING:
    from mcp_foundry.runtime.server import Server

log = logging.getLogger("mcp_foundry.runtime")

MAX_LINE = 32 * 1024 * 1024
"""A longer line is refused (-32600) and skipped rather than buffered without bound."""
_CHUNK = 256 * 1024
MAX_BACKLOG = 10_000
"""Queued answers at which the server stops reading until the client reads its output."""
_GC_THRESHOLD = 10_000
"""Net new objects between young collections (Python's default: 700). Only cyclic
garbage waits longer for it. 50,000 saved another 1.5% of instructions per call but lets
one young collection scan that many objects, a pause of milliseconds on a single call."""


def _pollable(fd: int) -> bool:
    """Pipes, sockets and terminals can be waited on; regular files cannot."""
    mode = os.fstat(fd).st_mode
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stat.S_ISCHR(mode)


class LineWriter:
    """Queues encoded messages and flushes them in batches from one task."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._queue: list[bytes] = []
        self._wake = anyio.Event()
        self._flushed = anyio.Event()
        self._closing = False
        self._room = anyio.Event()
        self._was_blocking = os.get_blocking(fd)
        if _pollable(fd) and not stat.S_ISCHR(os.fstat(fd).st_mode):
            os.set_blocking(fd, False)

    async def send(self, message: Any, _related: RequestId | None = None) -> None:
        if not self._queue:
            self._wake.set()  # a queue with messages in it has woken the writer already
        self._queue.append(wire.encode(message))

    @property
    def backlog(self) -> int:
        """Messages queued behind the write in progress."""
        return len(self._queue)

    async def wait_for_room(self) -> None:
        """Return once the backlog is below ``MAX_BACKLOG`` (the client reads again)."""
        while len(self._queue) >= MAX_BACKLOG:
            self._room = anyio.Event()
            await self._room.wait()

    async def run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake = anyio.Event()
            if self._queue:
                batch, self._queue = self._queue, []
                batch.append(b"")
                await self._write(b"\n".join(batch))
                self._room.set()
            if self._closing and not self._queue:
                self._flushed.set()
                return

    async def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            try:
                written = os.write(self.fd, view)
            except BlockingIOError:
                await anyio.wait_writable(self.fd)
                continue
            except (BrokenPipeError, OSError) as exc:
                log.warning("stdout closed (%s); dropping %d bytes", exc, len(view))
                return
            view = view[written:]

    async def aclose(self) -> None:
        """Flush everything queued, then give the descriptor back in blocking mode (the
        pipe may be shared with a parent that expects it)."""
        self._closing = True
        self._wake.set()
        await self._flushed.wait()
        os.set_blocking(self.fd, self._was_blocking)


async def read_lines(fd: int, on_line: Any, on_oversize: Any) -> None:
    """Feed every complete line to ``on_line`` until EOF."""
    pollable = _pollable(fd)
    pending = bytearray()
    skipping = False
    while True:
        if pollable:
            await anyio.wait_readable(fd)
            try:
                chunk = os.read(fd, _CHUNK)
            except BlockingIOError:
                continue
        else:
            chunk = await anyio.to_thread.run_sync(os.read, fd, _CHUNK)
        if not chunk:
            break
        start = 0
        if pending or skipping:
            cut = chunk.find(b"\n")
            if cut < 0:
                if not skipping:
                    pending += chunk
                    if len(pending) > MAX_LINE:
                        pending.clear()
                        skipping = True
                        await on_oversize()
                continue
            if not skipping:
                pending += chunk[:cut]
                line = bytes(pending)
                pending.clear()
                if line.strip():
                    await on_line(line)
            skipping = False
            start = cut + 1
        end = chunk.rfind(b"\n")
        if end >= start:
            for line in chunk[start:end].split(b"\n"):
                if line and not line.isspace():
                    await on_line(line)
            start = end + 1
        if start < len(chunk):
            pending += chunk[start:]
            if len(pending) > MAX_LINE:
                pending.clear()
                skipping = True
                await on_oversize()
    if pending.strip() and not skipping:
        await on_line(bytes(pending))


async def serve_stdio(
    server: Server, *, stdin: int = 0, stdout: int = 1, grace: float = 30.0
) -> None:
    """Run ``server`` on this process's stdin/stdout until EOF or a signal."""
    writer = LineWriter(stdout)
    async with server.running(), anyio.create_task_group() as group:
        group.start_soon(writer.run)
        session = server.session(writer.send)
        async with session:
            reading = anyio.CancelScope()

            async def stop_on_signal() -> None:
                with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
                    async for signum in signals:
                        log.info(
                            "received %s; refusing new requests, finishing accepted ones",
                            signal.Signals(signum).name,
                        )
                        # reading goes on meanwhile: the client's answers and cancellations
                        # still reach the handlers, and new requests get an error
                        await session.close(grace=grace, client_gone=False)
                        reading.cancel()
                        return

            group.start_soon(stop_on_signal)

            async def oversize() -> None:
                await writer.send(
                    wire.error_response(
                        None, RpcError(INVALID_REQUEST, "Invalid Request: message too large")
                    )
                )

            peer = session.peer

            async def accept(line: bytes) -> None:
                if writer.backlog >= MAX_BACKLOG:
                    await writer.wait_for_room()
                if peer.in_flight_full():
                    # soft: handlers may be waiting for answers only further input carries
                    with anyio.move_on_after(1.0):
                        await peer.wait_for_room()
                await peer.feed_bytes(line)

            with reading:
                await read_lines(stdin, accept, oversize)
            await session.close(grace=grace)
        await writer.aclose()
        group.cancel_scope.cancel()


def run_stdio(server: Server, *, log_level: int = logging.WARNING, grace: float = 30.0) -> None:
    """Entry point for ``python my_server.py``: logs to stderr, serves until EOF or a
    signal (accepted requests then get ``grace`` seconds to finish)."""
    if not logging.getLogger().handlers:
        logging.basicConfig(
            stream=sys.stderr, level=log_level, format="%(levelname)s %(name)s: %(message)s"
        )
    # what start-up built (modules, models, the app) lives as long as the process: keep it
    # out of the collector's full passes, which otherwise rescan it every few thousand calls
    gc.freeze()
    # a burst of pipelined requests keeps hundreds of tasks alive at once, and at the
    # default threshold (700 objects) the collector rescans them every few requests
    gc.set_threshold(_GC_THRESHOLD, *gc.get_threshold()[1:])
    anyio.run(partial(_serve_then_close, server, grace=grace), backend_options=_loop_options())


async def _serve_then_close(server: Server, *, grace: float) -> None:
    """The process's one server: its store closes with it."""
    try:
        await serve_stdio(server, grace=grace)
    finally:
        await server.store.close()


def _loop_options() -> dict[str, Any]:
    """uvloop where it is installed (a dependency off Windows): its event loop does in C
    what asyncio's does in Python for every request (a task, its scheduling, the pipes)."""
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return {}
    return {"use_uvloop": True}
