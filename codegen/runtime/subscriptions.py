"""``subscriptions/listen`` streams (basic/patterns/subscriptions.mdx), when the handler
object does not implement the method itself.

Each stream is one long-lived request: acknowledged first, then fed the notification
types its filter asked for (and the server offers), each tagged with the subscription id
(the listen request's id). A server-side shutdown ends it with a completion result; a
client cancellation ends it without one.

With a shared store (several instances of one server) the streams of every instance
hear every change exactly once: a change is published on one store channel, and each
instance relays what it hears there to its own streams (:meth:`Subscriptions.relaying`,
for as long as the server runs). While the relay is down a change still reaches the
streams of the instance that raised it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import anyio
import orjson
from mcp_foundry.runtime.revisions import SUBSCRIPTION_ID_KEY
from mcp_foundry.runtime.store import Store, StoreUnavailable
from mcp_foundry.runtime.store.follow import follow
from mcp_foundry.runtime.wire import RequestId

if TYPE_CHECKING:
    from mcp_foundry.runtime.server import Server

log = logging.getLogger("mcp_foundry.runtime")

_LIST_FLAGS = {
    "tools": "toolsListChanged",
    "prompts": "promptsListChanged",
    "resources": "resourcesListChanged",
}

CHANNEL = "notifications"
"""The store channel every instance relays to its listen streams."""


class _Stream:
    __slots__ = ("request_id", "agreed", "emit", "done", "owner")

    def __init__(
        self, request_id: RequestId, agreed: dict[str, Any], emit: Any, owner: object
    ) -> None:
        self.request_id = request_id
        self.agreed = agreed
        self.emit = emit
        self.done = anyio.Event()
        self.owner = owner

    async def send(self, method: str, params: dict[str, Any]) -> None:
        try:
            await self.emit(method, {"_meta": {SUBSCRIPTION_ID_KEY: self.request_id}, **params})
        except Exception:
            log.info("listen stream %r is gone; closing it", self.request_id)
            self.done.set()


class Subscriptions:
    """Open listen streams of one server; ``store`` when it is one of several instances."""

    def __init__(self, store: Store | None = None) -> None:
        self._streams: set[_Stream] = set()
        self._store = store
        self._relaying = asyncio.Event()
        """Set while this instance hears the store channel (its changes come back)."""

    def agreed_filter(self, server: Server, wanted: Any) -> dict[str, Any]:
        """The subset of the requested filter this server honours."""
        agreed: dict[str, Any] = {}
        if not isinstance(wanted, dict):
            return agreed
        for kind, flag in _LIST_FLAGS.items():
            if wanted.get(flag) is True and server.advertises((kind, "listChanged")):
                agreed[flag] = True
        uris = wanted.get("resourceSubscriptions")
        if isinstance(uris, list) and server.advertises(("resources", "subscribe")):
            agreed["resourceSubscriptions"] = [u for u in uris if isinstance(u, str)]
        return agreed

    async def listen(
        self,
        server: Server,
        request_id: RequestId,
        params: dict[str, Any],
        emit: Any,
        owner: object = None,
    ) -> dict[str, Any]:
        stream = _Stream(
            request_id, self.agreed_filter(server, params.get("notifications")), emit, owner
        )
        self._streams.add(stream)
        try:
            await stream.send(
                "notifications/subscriptions/acknowledged", {"notifications": stream.agreed}
            )
            await stream.done.wait()
        finally:
            self._streams.discard(stream)
        # ended by the server (a client's cancellation never gets here): cancellation.mdx
        # asks for notifications/cancelled, subscriptions.mdx for a completion result
        await stream.send(
            "notifications/cancelled",
            {"requestId": request_id, "reason": "the server is closing this subscription"},
        )
        return server.listen_closed(request_id)

    async def publish_list_changed(self, kind: str) -> None:
        if await self._shared({"list": kind}):
            return
        await self._list_changed(kind)

    async def publish_resource_updated(self, uri: str) -> None:
        if await self._shared({"uri": uri}):
            return
        await self._resource_updated(uri)

    async def _shared(self, change: dict[str, str]) -> bool:
        """Publish ``change`` to every instance; True when this one's relay delivers it."""
        if self._store is None:
            return False
        try:
            await self._store.publish(CHANNEL, orjson.dumps(change))
        except StoreUnavailable:
            log.warning("the store is unavailable: %s reaches this instance only", change)
            return False
        return self._relaying.is_set()

    async def _list_changed(self, kind: str) -> None:
        flag = _LIST_FLAGS[kind]
        for stream in list(self._streams):
            if stream.agreed.get(flag):
                await stream.send(f"notifications/{kind}/list_changed", {})

    async def _resource_updated(self, uri: str) -> None:
        for stream in list(self._streams):
            if uri in stream.agreed.get("resourceSubscriptions", ()):
                await stream.send("notifications/resources/updated", {"uri": uri})

    @asynccontextmanager
    async def relaying(self) -> AsyncIterator[None]:
        """Relay the store channel to this instance's streams while the block runs
        (the server's lifetime); a no-op without a shared store. Entered once the
        channel is subscribed (or after a few seconds of an unavailable store, while
        the relay keeps trying)."""
        if self._store is None:
            yield
            return
        relay = asyncio.create_task(
            follow(self._store, CHANNEL, self._deliver, self._relaying, "listen relay"),
            name="listen relay",
        )
        try:
            with anyio.move_on_after(5.0):
                await self._relaying.wait()
            yield
        finally:
            relay.cancel()
            await asyncio.gather(relay, return_exceptions=True)

    async def _deliver(self, raw: bytes) -> None:
        try:
            change = orjson.loads(raw)
        except orjson.JSONDecodeError:
            change = None
        kind = change.get("list") if isinstance(change, dict) else None
        uri = change.get("uri") if isinstance(change, dict) else None
        if kind in _LIST_FLAGS:
            await self._list_changed(kind)
        elif isinstance(uri, str):
            await self._resource_updated(uri)
        else:
            log.warning("listen relay: ignoring a malformed message on %s", CHANNEL)

    def close(self, owner: object = None) -> None:
        """End streams gracefully (each answers its listen request); all when ``owner``
        is None, else those opened through that connection."""
        for stream in list(self._streams):
            if owner is None or stream.owner is owner:
                stream.done.set()
