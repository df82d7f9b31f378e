"""The stdio transport: newline-delimited JSON on file descriptors 0 and 1.

Reading waits for readability and takes whatever the pipe holds (up to 256 KiB) in one
``os.read``, so a burst of pipelined requests costs one wakeup, not one per line.
Writing is batched: messages queue up and one writer task flushes everything queued in
a single write. Logs go to stderr only.

Shutdown: on EOF the server stops reading; on SIGTERM/SIGINT it keeps reading but answers
every new request with a JSON-RPC error. Either way every accepted request is answered:
those still running after ``grace`` seconds are cancelled and answered with an error.
Then the output is flushed and ``serve_stdio`` returns.

Written on asyncio itself (the loop anyio runs on too), not anyio: anyio's asyncio backend
is a fifth of a cold start's instructions (issue #15), and nothing on the way to the first
answer needs it; the engine loads it later, when it first uses anyio (a drain at exit, a
server→client request).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
import stat
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mcp_foundry.runtime import wire
from mcp_foundry.runtime.errors import INVALID_REQUEST, RpcError
from mcp_foundry.runtime.wire import RequestId

if TYPE_CHECKING:
    from mcp_foundry.runtime.server import Server
    from mcp_foundry.runtime.session import LegacySession

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


async def _ready(fd: int, add: Callable[..., Any], remove: Callable[[int], Any]) -> None:
    """Wait until ``fd`` is readable or writable (``add``/``remove``: the loop's
    ``add_reader``/``remove_reader`` or ``add_writer``/``remove_writer``)."""
    waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    add(fd, _settle, waiter)
    try:
        await waiter
    finally:
        remove(fd)


class LineWriter:
    """Queues encoded messages and flushes them in batches from one task."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._queue: list[bytes] = []
        self._wake = asyncio.Event()
        self._flushed = asyncio.Event()
        self._closing = False
        self._room = asyncio.Event()
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
            self._room = asyncio.Event()
            await self._room.wait()

    async def run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake = asyncio.Event()
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
                loop = asyncio.get_running_loop()
                await _ready(self.fd, loop.add_writer, loop.remove_writer)
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
    loop = asyncio.get_running_loop()
    pending = bytearray()
    skipping = False
    while True:
        if pollable:
            await _ready(fd, loop.add_reader, loop.remove_reader)
            try:
                chunk = os.read(fd, _CHUNK)
            except BlockingIOError:
                continue
        else:
            chunk = await loop.run_in_executor(None, os.read, fd, _CHUNK)
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
    async with server.running(), asyncio.TaskGroup() as group:
        group.create_task(writer.run())
        session = server.session(writer.send)
        async with session:

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
                    try:
                        async with asyncio.timeout(1.0):
                            await peer.wait_for_room()
                    except TimeoutError:
                        pass
                await peer.feed_bytes(line)

            reading = group.create_task(read_lines(stdin, accept, oversize))
            stopper = group.create_task(_stop_on_signal(session, reading, grace))
            await asyncio.wait([reading])  # until EOF, or cancelled after a signal
            await session.close(grace=grace)
        await writer.aclose()
        stopper.cancel()


async def _stop_on_signal(
    session: LegacySession, reading: asyncio.Task[None], grace: float
) -> None:
    """On the first SIGTERM/SIGINT: close the session (new requests get an error, accepted
    ones are answered), then stop ``reading``. Reading goes on meanwhile: the client's
    answers and cancellations still reach the handlers. Further signals are ignored until
    then; after that (or once the server is done) they have their default effect."""
    loop = asyncio.get_running_loop()
    received: asyncio.Future[int] = loop.create_future()
    for watched in _SIGNALS:
        loop.add_signal_handler(watched, _settle, received, watched)
    try:
        signum = await received
        log.info(
            "received %s; refusing new requests, finishing accepted ones",
            signal.Signals(signum).name,
        )
        await session.close(grace=grace, client_gone=False)
        reading.cancel()
    finally:
        for watched in _SIGNALS:
            loop.remove_signal_handler(watched)


_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _settle(waiter: asyncio.Future[Any], value: Any = None) -> None:
    """Resolve ``waiter`` once (the loop may call again before the waiting task runs)."""
    if not waiter.done():
        waiter.set_result(value)


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
    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        runner.run(_serve_then_close(server, grace=grace))


async def _serve_then_close(server: Server, *, grace: float) -> None:
    """The process's one server: its store closes with it."""
    try:
        await serve_stdio(server, grace=grace)
    finally:
        await server.store.close()


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop where it is installed (a dependency off Windows): its event loop does in C
    what asyncio's does in Python for every request (a task, its scheduling, the pipes)."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop
