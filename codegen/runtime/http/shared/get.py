"""A GET served from the store: a stream this instance does not hold in memory.

The client's GET (the session's standalone stream, or a ``Last-Event-ID`` resumption)
may land on an instance that is not producing that stream; it reads the stream's log
and writes it as SSE until the stream ends, the client leaves, a newer GET takes the
stream over or the server stops.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from mcp_foundry.runtime.errors import INVALID_REQUEST
from mcp_foundry.runtime.http import asgi
from mcp_foundry.runtime.http.asgi import RawHeaders, Receive, Send
from mcp_foundry.runtime.http.shared.relay import Relay
from mcp_foundry.runtime.http.shared.tails import PostTail, StandaloneTail, Tails
from mcp_foundry.runtime.http.sse import KEEPALIVE, frame
from mcp_foundry.runtime.http.streams import Item
from mcp_foundry.runtime.http.writer import open_stream, send_event
from mcp_foundry.runtime.store import StoreUnavailable

if TYPE_CHECKING:
    from mcp_foundry.runtime.http.sessions import HttpSession

log = logging.getLogger("mcp_foundry.runtime.http")

POLL_S = 1.0
"""The longest a tailing stream waits in one store read (it checks for a hang-up between)."""


async def serve_get(
    receive: Receive,
    send: Send,
    session: HttpSession,
    last_event_id: str | None,
    keepalive_s: float,
    *,
    tails: Tails,
    relay: Relay,
) -> None:
    """Serve the GET from the log :meth:`Tails.find` picks (404 for an unknown event id),
    after ending the connections that read the same stream until now."""
    source = await tails.find(session, last_event_id)
    if source is None:
        await asgi.respond_error(send, 404, INVALID_REQUEST, "Unknown Last-Event-ID")
        return
    await relay.take_over(session, source.key)
    stop = asyncio.Event()
    session.tails[stop] = source.key
    try:
        await _tail_to_client(
            send,
            receive,
            source,
            keepalive_s=keepalive_s,
            headers=session.id_header,
            stop=stop,
        )
    finally:
        session.tails.pop(stop, None)


async def _tail_to_client(
    send: Send,
    receive: Receive,
    source: StandaloneTail | PostTail,
    *,
    keepalive_s: float,
    headers: RawHeaders,
    stop: asyncio.Event,
) -> None:
    gone = asyncio.Event()

    async def watch() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        gone.set()

    watcher = asyncio.get_running_loop().create_task(watch())
    try:
        await open_stream(send, headers)
        await send_event(send, b"")
        quiet_since = time.monotonic()
        while not gone.is_set() and not stop.is_set():
            try:
                items = await source.next(min(POLL_S, keepalive_s))
            except StoreUnavailable:
                log.warning("session store unreachable: a stream ends (the client may resume)")
                break
            if stop.is_set():
                break  # taken over meanwhile: what was read goes to the newer connection
            if not items:
                if time.monotonic() - quiet_since >= keepalive_s:
                    await send_event(send, KEEPALIVE)
                    quiet_since = time.monotonic()
                continue
            quiet_since = time.monotonic()
            if await _write(send, items):
                break
            try:
                await source.delivered()
            except StoreUnavailable:
                pass  # only a fresh GET's starting point suffers
        await send({"type": "http.response.body", "body": b""})
    finally:
        watcher.cancel()


async def _write(send: Send, items: list[Item]) -> bool:
    """Write items; whether the stream ended."""
    for item in items:
        if item.payload is None:
            return True
        await send_event(send, frame(item.payload, event_id=item.event_id))
        if item.final:
            return True
    return False
