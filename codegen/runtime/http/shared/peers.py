"""This instance among the others that share the store: heartbeat and channel.

Instances know each other only through the store. Each beats (an index entry that lapses
after three missed beats), so a request whose instance died can be answered with an
error; and all listen on one channel, where a message either names the instance it is
for or goes to all. A sender may wait until every live instance acknowledged it, so the
client's next request sees the change wherever the balancer sends it.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from mcp_foundry.runtime.http.shared import keys
from mcp_foundry.runtime.store import Store, StoreUnavailable

log = logging.getLogger("mcp_foundry.runtime.http")

HEARTBEAT_S = 1.0
"""How often an instance says it is alive; it counts as dead after three missed beats."""
ACK_S = 2.0
"""The longest :meth:`Peers.tell_all` waits for the other instances to act."""

Handler = Callable[[str, str, dict[str, Any]], Awaitable[None]]
"""What a message from another instance is handed to: ``(op, session id, body)``."""


class Peers:
    """One instance's membership and its end of the channel."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.instance = secrets.token_hex(4)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._listening: asyncio.Future[None] | None = None

    async def start(self, handler: Handler) -> None:
        """Listen on the channel (messages go to ``handler``) and beat, once; returns when
        subscribed, raises :class:`StoreUnavailable` when that cannot be done now (the
        next call retries)."""
        if self._listening is None:
            listening = self._listening = asyncio.get_running_loop().create_future()
            self._spawn(self._listen(listening, handler))
        await asyncio.shield(self._listening)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=5)
        self._listening = None
        try:
            await self.store.index_remove(keys.INSTANCES, self.instance)
        except StoreUnavailable:
            pass

    async def alive(self, instance: str) -> bool:
        """Whether ``instance`` beat lately (a SIGKILLed one stops within three beats)."""
        return instance == self.instance or instance in await self.store.index_members(
            keys.INSTANCES
        )

    async def tell(self, op: str, session_id: str, **fields: Any) -> None:
        """Send to every other instance (``to=<instance>``: to that one only)."""
        body = {"op": op, "sid": session_id, "from": self.instance, **fields}
        await self.store.publish(keys.CHANNEL, orjson.dumps(body))

    async def tell_all(self, op: str, session_id: str) -> None:
        """Tell every instance and return once each live one has acted on it (or after
        :data:`ACK_S`)."""
        others = set(await self.store.index_members(keys.INSTANCES)) - {self.instance}
        acks = f"{keys.ACKS}{secrets.token_urlsafe(12)}"
        await self.tell(op, session_id, ack=acks)
        deadline = time.monotonic() + ACK_S
        after: str | None = None
        while others and (left := deadline - time.monotonic()) > 0:
            events = await self.store.read(acks, after, wait_s=left)
            for position, instance in events:
                after = position
                others.discard(instance.decode("ascii", "replace"))
        if others:
            log.warning("shared %s: %d instance(s) did not acknowledge in time", op, len(others))

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _beat(self) -> None:
        while True:
            try:
                await self.store.index_add(keys.INSTANCES, self.instance, ttl_s=3 * HEARTBEAT_S)
            except StoreUnavailable:
                log.warning("shared store unreachable (heartbeat)")
            await asyncio.sleep(HEARTBEAT_S)

    async def _listen(self, listening: asyncio.Future[None], handler: Handler) -> None:
        while True:
            try:
                async with self.store.subscribe(keys.CHANNEL) as messages:
                    if not listening.done():
                        listening.set_result(None)
                        self._spawn(self._beat())  # listed as live once listening
                    async for raw in messages:
                        await self._heard(raw, handler)
            except StoreUnavailable as exc:
                if not listening.done():  # never subscribed: let the next start() retry
                    self._listening = None
                    listening.set_exception(exc)
                    return
                log.warning("shared store unreachable (channel); retrying")
                await asyncio.sleep(HEARTBEAT_S)

    async def _heard(self, raw: bytes, handler: Handler) -> None:
        try:
            body = orjson.loads(raw)
            op, session_id, sender = body["op"], body["sid"], body["from"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            log.warning("ignoring a malformed message on the shared channel")
            return
        if sender == self.instance or body.get("to", self.instance) != self.instance:
            return
        try:
            await handler(op, session_id, body)
        except Exception:
            log.exception("shared %s for session %s failed", op, session_id[:8])
        finally:
            await self._acknowledge(body)

    async def _acknowledge(self, body: dict[str, Any]) -> None:
        acks = body.get("ack")
        if isinstance(acks, str) and acks.startswith(keys.ACKS):
            await self.store.append(
                acks, self.instance.encode("ascii"), max_len=256, ttl_s=2 * ACK_S
            )
