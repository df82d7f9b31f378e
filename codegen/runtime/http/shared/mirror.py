"""POST response streams copied to the store, so any instance can resume them.

Once a POST's answer became SSE its event ids reach the client, which may resume with
``Last-Event-ID`` at another instance; so from then on every event is appended to the
stream's log, what was buffered first. The producer never waits for the store: the
writer does, before it sends an event id the store lacks.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import TYPE_CHECKING

from mcp_foundry.runtime.http.port import RequestId
from mcp_foundry.runtime.http.shared import keys, post_log
from mcp_foundry.runtime.http.streams import ENDED, MAX_EVENTS, Item, OutboundStream
from mcp_foundry.runtime.store import Store, StoreUnavailable

if TYPE_CHECKING:
    from mcp_foundry.runtime.http.sessions import HttpSession

log = logging.getLogger("mcp_foundry.runtime.http")


class Mirrors:
    """Starts the copy of a session's POST streams (one log each)."""

    def __init__(self, store: Store, instance: str, idle_s: float) -> None:
        self.store = store
        self.instance = instance
        self.idle_s = idle_s

    async def expose(
        self, session: HttpSession, stream: OutboundStream, request_ids: list[RequestId]
    ) -> None:
        """The stream became SSE: copy it from now on, what it buffered first, under a head
        naming us and its requests; returns once that much is stored."""
        if stream.mirror is not None or session.core is None:
            return
        mirror = _Mirror(self.store, keys.log(session.core.id, stream.key), self.idle_s)
        mirror.push(0, post_log.head(self.instance, request_ids))
        buffered = stream.buffered()
        for seq, item in buffered:
            mirror.add(seq, item)
        stream.mirror = mirror
        await mirror.reached(buffered[-1][0] if buffered else 0)


class _Mirror:
    """Appends one stream's events to its log in order (a :class:`~.streams.Mirror`)."""

    def __init__(self, store: Store, name: str, idle_s: float) -> None:
        self.store = store
        self.name = name
        self.idle_s = idle_s
        self.queue: deque[tuple[int, bytes]] = deque()
        self.task: asyncio.Task[None] | None = None
        self.done = -1
        """The highest sequence number stored (or given up on)."""
        self.progress = asyncio.Event()

    def add(self, seq: int, item: Item) -> None:
        if item is ENDED:
            self.push(seq, post_log.entry(seq, post_log.ENDED))
        elif item.payload is not None:
            kind = post_log.FINAL if item.final else post_log.EVENT
            self.push(seq, post_log.entry(seq, kind, item.payload))

    def push(self, seq: int, entry: bytes) -> None:
        self.queue.append((seq, entry))
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._drain())

    async def reached(self, seq: int) -> None:
        while self.done < seq and self.task is not None and not self.task.done():
            await self.progress.wait()

    async def _drain(self) -> None:
        while self.queue:
            seq, entry = self.queue.popleft()
            try:
                await self.store.append(self.name, entry, max_len=MAX_EVENTS, ttl_s=self.idle_s)
            except StoreUnavailable:
                log.warning("shared store unreachable: an event cannot be resumed elsewhere")
            finally:
                self.done = max(self.done, seq)
                self.progress.set()
                self.progress = asyncio.Event()
