"""Turn what a stream yields into one HTTP response: a JSON body or an SSE stream.

The choice is made lazily: if the first thing the server produces for a request is its
final response, the client gets plain JSON (cheapest for both ends); anything else
first (a progress notification, a server→client request, an early close) opens SSE.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from mcp_foundry.runtime.http.asgi import (
    SSE_HEADERS,
    RawHeaders,
    Receive,
    Send,
    json_headers,
    respond,
)
from mcp_foundry.runtime.http.sse import KEEPALIVE, frame
from mcp_foundry.runtime.http.streams import DISCONNECTED, Inbox, Item, OutboundStream


async def next_item(live: Inbox, keepalive_s: float | None) -> Item | None:
    """The next item, or ``None`` when ``keepalive_s`` passed without one."""
    if not live.empty() or keepalive_s is None:
        return await live.get()
    try:
        return await asyncio.wait_for(live.get(), keepalive_s)
    except TimeoutError:
        return None


async def write_reply(
    send: Send,
    live: Inbox,
    *,
    status_for: Callable[[int | None], int],
    headers: Sequence[tuple[bytes, bytes]] = (),
    always_sse: bool = False,
    priming: Callable[[], Awaitable[str | None]] | None = None,
    retry_ms: int = 1000,
    keepalive_s: float | None = None,
    hold: Hold | None = None,
) -> None:
    """Answer one POST from ``live`` until its final response, a detach or a disconnect.

    ``priming`` runs once the answer is known to be an SSE stream: the priming event's id,
    if any. ``hold`` runs before each event goes out (see :func:`pump`)."""
    first = await live.get()
    if first is DISCONNECTED:
        return
    if first.final and first.payload is not None and not always_sse:
        status = status_for(first.error_code)
        await respond(send, status, first.payload, [*json_headers(status), *headers])
        return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [*SSE_HEADERS, *headers],
        }
    )
    priming_id = await priming() if priming is not None else None
    if priming_id is not None:
        await send_event(send, frame(b"", event_id=priming_id, retry_ms=retry_ms))
    await pump(send, live, first, keepalive_s, hold)
    await send({"type": "http.response.body", "body": b""})


async def open_stream(send: Send, headers: Sequence[tuple[bytes, bytes]] = ()) -> None:
    """Start an SSE response (for GET streams, which have no JSON alternative)."""
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
