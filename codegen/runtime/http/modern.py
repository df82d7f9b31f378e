"""One request on the 2026-07-28 stateless wire, answered as JSON or as its own SSE stream.

The handler runs in the ASGI task itself and its related notifications are written
straight to the socket, so the common case costs no extra task and no queue. Closing
the connection is the client's way to cancel (transports/index.mdx), so a request that
runs long gets a watcher that cancels it when the client hangs up.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from mcp_foundry.runtime import wire
from mcp_foundry.runtime.access import current_access
from mcp_foundry.runtime.errors import shutting_down
from mcp_foundry.runtime.http import asgi, writer
from mcp_foundry.runtime.http.asgi import Receive, Send
from mcp_foundry.runtime.http.config import HttpConfig
from mcp_foundry.runtime.http.port import Message, ServerCore
from mcp_foundry.runtime.http.sse import KEEPALIVE, frame
from mcp_foundry.runtime.runner import UNANSWERED, Run
from mcp_foundry.runtime.transport import TransportFacts, error_status

log = logging.getLogger("mcp_foundry.runtime.http")

VERSION_HEADER = "mcp-protocol-version"
MAX_BACKLOG = 10_000
"""Notifications a listen stream may fall behind by before it is dropped."""
WATCH_AFTER_S = 0.05
"""A request still running after this long gets a task watching for disconnects."""


class ModernExchange:
    """One stateless request: JSON unless something related comes before the answer.

    The handler runs in the ASGI task itself and its related notifications are written
    straight to the socket. A client that hangs up cancels the handler; to keep the hot
    path to a single task, the watcher for that is only started if the request is still
    running after :data:`WATCH_AFTER_S`.
    """

    __slots__ = (
        "loop",
        "watchdog",
        "server",
        "send",
        "receive",
        "headers",
        "config",
        "started",
        "finished",
        "disconnected",
        "stopping",
        "request",
        "_watcher",
        "_lock_made",
        "_backlog",
    )

    def __init__(
        self,
        server: ServerCore,
        send: Send,
        receive: Receive,
        headers: dict[str, str],
        config: HttpConfig,
        watchdog: Watchdog,
    ) -> None:
        self.loop = asyncio.get_running_loop()
        self.watchdog = watchdog
        self.server = server
        self.send = send
        self.receive = receive
        self.headers = headers
        self.config = config
        self.started = False
        self.finished = False
        self.disconnected = False
        self.stopping = False
        self.request: Run | None = None
        self._watcher: asyncio.Task[None] | None = None
        self._lock_made: asyncio.Lock | None = None
        self._backlog: asyncio.Queue[bytes] | None = None

    @property
    def _lock(self) -> asyncio.Lock:
        """Serialises writes to the stream; made only for requests that stream."""
        if self._lock_made is None:
            self._lock_made = asyncio.Lock()
        return self._lock_made

    async def run(self, message: Message) -> None:
        method = message.get("method")
        self.request = request = Run(method)
        self.watchdog.enter(self)
        pump: asyncio.Task[None] | None = None
        if method == "subscriptions/listen":
            self._backlog = asyncio.Queue()
            pump = self.loop.create_task(self._pump(self._backlog))

        facts = transport_facts(self.headers)

        async def call() -> Message | None:
            return await self.server.handle_modern(message, self._sink, facts=facts)

        try:
            response = await request.respond(message.get("id"), call, self.server.request_timeout)
        finally:
            self.finished = True
            self.watchdog.leave(self)
            if self._watcher is not None:
                self._watcher.cancel()
            if pump is not None:
                pump.cancel()
        if self.disconnected:
            if self.stopping and self.started:
                await self.send({"type": "http.response.body", "body": b""})
            return
        while self._backlog is not None and not self._backlog.empty():
            await self._write(self._backlog.get_nowait())
        if response is None:
            if self.started:
                await self.send({"type": "http.response.body", "body": b""})
            else:
                await asgi.respond(self.send, 202)
            return
        payload = wire.encode(response)
        error = response.get("error")
        errs = isinstance(error, dict) and error.get("code") is not None
        if not self.started and (not self.config.always_sse or errs):
            status = error_status(response)
            await asgi.respond(self.send, status, payload, asgi.json_headers(status))
            return
        async with self._lock:
            if not self.started:
                await writer.open_stream(self.send)
                self.started = True
            await writer.send_event(self.send, frame(payload))
            await self.send({"type": "http.response.body", "body": b""})

    async def _sink(self, message: Any, _related: Any) -> None:
        if self.finished or self.disconnected:
            return
        if self._backlog is None:
            await self._write(wire.encode(message))
        elif self._backlog.qsize() >= MAX_BACKLOG:
            log.warning("listen stream fell %d notifications behind; dropping it", MAX_BACKLOG)
            self.hang_up()
        else:
            self._backlog.put_nowait(wire.encode(message))

    async def _write(self, payload: bytes) -> None:
        async with self._lock:
            if not self.started:
                await writer.open_stream(self.send)
                self.started = True
            await writer.send_event(self.send, frame(payload))

    async def _pump(self, backlog: asyncio.Queue[bytes]) -> None:
        """A listen stream's writer: a slow listener never stalls whoever notifies it,
        and quiet periods get keep-alive comments."""
        while True:
            try:
                payload = await asyncio.wait_for(backlog.get(), self.config.keepalive_s)
            except TimeoutError:
                async with self._lock:
                    if self.started:
                        await writer.send_event(self.send, KEEPALIVE)
                continue
            await self._write(payload)

    def start_watcher(self) -> None:
        if not self.finished:
            self._watcher = self.loop.create_task(self._watch())

    async def _watch(self) -> None:
        while (await self.receive())["type"] != "http.disconnect":
            pass
        self.hang_up()

    def hang_up(self, *, stopping: bool = False) -> None:
        """Cancel the request: its client is gone (or cannot keep up), or the server is
        ``stopping``, in which case the stream is ended cleanly."""
        self.stopping = stopping
        if not self.finished and self.request is not None:
            self.disconnected = True
            self.request.stop(UNANSWERED)

    def stop(self) -> None:
        """The server's drain time is over: cancel the request and answer it with an error."""
        if self.request is not None:
            self.request.stop(shutting_down(accepted=True))


class Watchdog:
    """Gives each request still running after :data:`WATCH_AFTER_S` a task that watches
    for its client hanging up, with one lazy timer for all requests rather than one
    armed and cancelled per request."""

    def __init__(self) -> None:
        self._running: dict[ModernExchange, float] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def enter(self, exchange: ModernExchange) -> None:
        loop = exchange.loop
        if loop is not self._loop:
            # a new event loop (the same app served again): start afresh
            self._loop, self._timer = loop, None
            self._running.clear()
        self._running[exchange] = loop.time()
        if self._timer is None:
            self._timer = loop.call_later(WATCH_AFTER_S, self._sweep)

    def leave(self, exchange: ModernExchange) -> None:
        self._running.pop(exchange, None)

    def _sweep(self) -> None:
        loop = self._loop
        assert loop is not None
        self._timer = None
        due = loop.time() - WATCH_AFTER_S
        for exchange, since in list(self._running.items()):
            if since <= due:
                del self._running[exchange]
                exchange.start_watcher()
        if self._running:
            wait = min(self._running.values()) + WATCH_AFTER_S - loop.time()
            self._timer = loop.call_later(max(wait, 0.0), self._sweep)


def transport_facts(headers: Mapping[str, str]) -> TransportFacts:
    """What the core should know about one HTTP request."""
    version = headers.get(VERSION_HEADER)
    access = current_access.get()
    if access is None:  # unprotected: the common case, without the keyword call's cost
        return TransportFacts("http", version.strip() if version is not None else None, headers)
    return TransportFacts(
        transport="http",
        protocol_version_header=version.strip() if version is not None else None,
        headers=headers,
        principal=access.subject,
        access=access,
    )
