"""The default store: plain dicts in this process (one instance, nothing to set up)."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from mcp_foundry.runtime.store.base import Messages, position_key


class MemoryStore:
    """:class:`~.base.Store` over process memory; expiry is checked on access.

    ``shared=True`` makes several app instances in one process (tests) treat it as the
    store they share, as they would Redis."""

    shared: bool = False

    def __init__(self, *, shared: bool = False) -> None:
        self.shared = shared
        self._records: dict[str, tuple[bytes, float]] = {}
        self._logs: dict[str, _Log] = {}
        self._appended: dict[str, asyncio.Event] = {}
        """Set (and dropped) on a log's next append: what blocking reads wait for. Kept
        apart from the log so a read may wait for a log that does not exist yet."""
        self._indexes: dict[str, dict[str, float]] = {}
        self._channels: dict[str, set[Messages]] = {}
        self._counter = 0

    # ---- records ------------------------------------------------------------------------

    async def get(self, key: str) -> bytes | None:
        entry = self._records.get(key)
        if entry is None:
            return None
        if entry[1] <= time.monotonic():
            del self._records[key]
            return None
        return entry[0]

    async def put(self, key: str, value: bytes, *, ttl_s: float) -> None:
        self._records[key] = (value, time.monotonic() + ttl_s)

    async def put_new(self, key: str, value: bytes, *, ttl_s: float) -> bool:
        if await self.get(key) is not None:
            return False
        await self.put(key, value, ttl_s=ttl_s)
        return True

    async def touch(self, key: str, *, ttl_s: float) -> bool:
        value = await self.get(key)
        if value is None:
            log = self._live_log(key)
            if log is None:
                return False
            log.expires = time.monotonic() + ttl_s
            return True
        await self.put(key, value, ttl_s=ttl_s)
        return True

    async def delete(self, key: str) -> None:
        self._records.pop(key, None)
        self._logs.pop(key, None)
        self._indexes.pop(key, None)

    # ---- event logs ---------------------------------------------------------------------

    def _live_log(self, name: str) -> _Log | None:
        log = self._logs.get(name)
        if log is not None and log.expires <= time.monotonic():
            del self._logs[name]
            return None
        return log

    async def append(self, log: str, payload: bytes, *, max_len: int, ttl_s: float) -> str:
        entry = self._live_log(log)
        if entry is None:
            entry = self._logs[log] = _Log()
        self._counter += 1
        position = f"{self._counter}-0"
        entry.events.append((position, payload))
        while len(entry.events) > max_len:
            entry.events.popleft()
        entry.expires = time.monotonic() + ttl_s
        appended = self._appended.pop(log, None)
        if appended is not None:
            appended.set()
        return position

    async def read(
        self, log: str, after: str | None = None, *, wait_s: float | None = None
    ) -> list[tuple[str, bytes]]:
        start = position_key(after) if after is not None else (0, 0)
        entry = self._live_log(log)
        found = [e for e in entry.events if position_key(e[0]) > start] if entry else []
        if found or not wait_s:
            return found
        appended = self._appended.setdefault(log, asyncio.Event())
        try:
            await asyncio.wait_for(appended.wait(), wait_s)
        except TimeoutError:
            return []
        return await self.read(log, after)

    # ---- indexes ------------------------------------------------------------------------

    async def index_add(self, index: str, member: str, *, ttl_s: float) -> None:
        self._indexes.setdefault(index, {})[member] = time.monotonic() + ttl_s

    async def index_remove(self, index: str, member: str) -> None:
        self._indexes.get(index, {}).pop(member, None)

    async def index_members(self, index: str) -> list[str]:
        members = self._indexes.get(index, {})
        now = time.monotonic()
        for gone in [m for m, expires in members.items() if expires <= now]:
            del members[gone]
        return list(members)

    # ---- channels -----------------------------------------------------------------------

    async def publish(self, channel: str, payload: bytes) -> None:
        for messages in list(self._channels.get(channel, ())):
            messages.put(payload)

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[bytes]]:
        messages = Messages()
        self._channels.setdefault(channel, set()).add(messages)
        try:
            yield messages
        finally:
            self._channels.get(channel, set()).discard(messages)

    async def close(self) -> None:
        for subscribers in self._channels.values():
            for messages in subscribers:
                messages.end()
        self._channels.clear()


class _Log:
    __slots__ = ("events", "expires")

    def __init__(self) -> None:
        self.events: deque[tuple[str, bytes]] = deque()
        self.expires = 0.0
