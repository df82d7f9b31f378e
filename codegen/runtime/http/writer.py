"""Turn what a legacy POST produces into one HTTP response: a JSON body or an SSE stream.

The choice is made lazily (the transport lets the server pick per POST): if the first
thing the server produces for a request is its final response, the client gets plain
JSON, with no stream, event ids or inbox made for it; anything else first (a progress
notification, a server→client request, a cancellation, ``close_sse_stream``) opens a
resumable :class:`~.streams.OutboundStream` and the POST becomes its SSE stream.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

from mcp_foundry.runtime.errors import STORE_UNAVAILABLE
from mcp_foundry.runtime.http.asgi import (
    SSE_HEADERS,
    RawHeaders,
    Receive,
    Send,
    json_headers,
    respond,
)
from mcp_foundry.runtime.http.port import RequestId
from mcp_foundry.runtime.http.sse import KEEPALIVE, frame
from mcp_foundry.runtime.http.streams import DISCONNECTED, Inbox, Item, OutboundStream

if TYPE_CHECKING:
    from mcp_foundry.runtime.http.sessions import HttpSession


async def next_item(live: Inbox, keepalive_s: float | None) -> Item | None:
    """The next item, or ``None`` when ``keepalive_s`` passed without one."""
    if not live.empty() or keepalive_s is None:
        return await live.get()
    try:
        return await asyncio.wait_for(live.get(), keepalive_s)
    except TimeoutError:
        return None


class Reply:
    """The answer of one legacy POST, fed by its session as the requests' output comes.

    The session hands it what a :class:`~.streams.OutboundStream` would get (``publish``,
    ``end``, ``detach``); :meth:`deliver` writes the response. A final response that comes
    first is kept here and becomes the JSON body. Anything else opens the stream at once
    (attached here, so it is what a ``Last-Event-ID`` resumes) and a task that writes it as
    SSE while the handler still runs."""

    __slots__ = (
        "send",
        "session",
        "request_ids",
        "headers",
        "sse_only",
        "retry_ms",
        "answer",
        "error_code",
        "stream",
        "started",
        "_live",
        "_writer",
        "_waiter",
    )

    def __init__(
        self,
        send: Send,
        session: HttpSession,
        request_ids: list[RequestId],
        headers: RawHeaders,
        *,
        sse_only: bool,
        retry_ms: int,
    ) -> None:
        self.send = send
        self.session = session
        self.request_ids = request_ids
        self.headers = headers
        self.sse_only = sse_only
        """``always_sse``: even a lone final response goes out as an SSE stream."""
        self.retry_ms = retry_ms
        self.answer: bytes | None = None
        self.error_code: int | None = None
        self.stream: OutboundStream | None = None
        self.started = False
        """The SSE response has begun (nothing else can be sent on this POST)."""
        self._live: Inbox | None = None
        self._writer: asyncio.Task[None] | None = None
        self._waiter: asyncio.Future[None] | None = None

    # ---- the session's side --------------------------------------------------------

    def publish(
        self, payload: bytes, *, final: bool = False, error_code: int | None = None
    ) -> None:
        if self.answer is not None:
            return  # answered: nothing more belongs to this POST
        if self.stream is None and final and not self.sse_only:
            self.answer = payload
            self.error_code = error_code
            self._wake()
            return
        self._open().publish(payload, final=final, error_code=error_code)

    def end(self) -> None:
        """The request was cancelled: the stream ends without a response."""
        if self.answer is None:
            self._open().end()

    def detach(self) -> None:
        """Drop the connection under the stream (the client resumes it with a GET)."""
        if self.answer is None:
            self._open().detach()

    def _open(self) -> OutboundStream:
        stream = self.stream
        if stream is None:
            stream = self.stream = self.session.streams.open(resumable=True)
            self._live = stream.attach()
            self._writer = asyncio.get_running_loop().create_task(self._write_sse())
            self._wake()
        return stream

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # ---- the POST's side -----------------------------------------------------------

    async def deliver(self) -> None:
        """Write the response: the JSON answer, or wait for the SSE stream to finish."""
        if self.answer is None and self._writer is None:
            self._waiter = asyncio.get_running_loop().create_future()
            await self._waiter
        if self._writer is not None:
            await self._writer
            return
        assert self.answer is not None
        # legacy answers travel with 200, except "the shared store is out of reach": 503
        # (with ``Retry-After``), so a balancer or client knows to retry
        status = 503 if self.error_code == STORE_UNAVAILABLE else 200
        await respond(self.send, status, self.answer, [*json_headers(status), *self.headers])

    def cancel(self) -> bool:
        """The POST failed before its response was written: stop writing the stream (it
        stays buffered for a resumption). Whether its SSE response had begun."""
        if self._writer is not None:
            self._writer.cancel()
        return self.started

    async def _write_sse(self) -> None:
        stream, live, send = self.stream, self._live, self.send
        assert stream is not None and live is not None
        self.started = True
        try:
            await open_stream(send, self.headers)
            priming_id = await self.session.expose(stream, self.request_ids)
            if priming_id is not None:
                await send_event(send, frame(b"", event_id=priming_id, retry_ms=self.retry_ms))
            hold = stream.persisted if self.session.shared is not None else None
            await pump(send, live, await live.get(), None, hold)
            await send({"type": "http.response.body", "body": b""})
        finally:
            stream.detach(live)


async def open_stream(send: Send, headers: Sequence[tuple[bytes, bytes]] = ()) -> None:
    """Start an SSE response."""
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [*SSE_HEADERS, *headers],
        }
    )


async def send_event(send: Send, data: bytes) -> None:
    await send({"type": "http.response.body", "body": data, "more_body": True})


Hold = Callable[[Item], Awaitable[None]]
"""Awaited before an event goes out: a stream shared between instances sends no event id
its store does not have yet (so a resumption elsewhere finds it)."""


async def pump(
    send: Send,
    live: Inbox,
    item: Item | None,
    keepalive_s: float | None,
    hold: Hold | None = None,
) -> None:
    """Write items as SSE events until the final one, a detach or a disconnect."""
    while True:
        if item is None:
            await send_event(send, KEEPALIVE)
        elif item.payload is None:  # DETACH, DISCONNECTED or ENDED
            return
        elif item.payload is not None:
            if hold is not None:
                await hold(item)
            await send_event(send, frame(item.payload, event_id=item.event_id))
            if item.final:
                return
        item = await next_item(live, keepalive_s)


async def stream_to_client(
    send: Send,
    receive: Receive,
    stream: OutboundStream,
    live: Inbox,
    keepalive_s: float,
    headers: RawHeaders,
    prelude: bytes | None = None,
) -> None:
    """Drain an attached stream into an SSE response until it ends or the client leaves."""
    watcher = asyncio.get_running_loop().create_task(_watch_disconnect(receive, live))
    try:
        await open_stream(send, headers)
        # the head goes out now (with the prelude, if any): a quiet stream must not look
        # dead until its first keep-alive
        await send_event(send, prelude or b"")
        hold = stream.persisted if stream.mirror is not None else None
        await pump(send, live, await next_item(live, keepalive_s), keepalive_s, hold)
        await send({"type": "http.response.body", "body": b""})
    finally:
        watcher.cancel()
        stream.detach(live)


async def _watch_disconnect(receive: Receive, live: Inbox) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
    live.put_nowait(DISCONNECTED)
