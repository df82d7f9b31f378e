"""The state store contract: what instances of one server share.

Every piece of state a request may need on another instance goes through these few
primitives (records, event logs, indexes, channels), so a deployment picks its engine
with one URL (``memory://``, ``redis://HOST:PORT/DB``) and the protocol code never
knows which. Everything stored expires by its own TTL: no instance sweeps for others.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from mcp_foundry.runtime.errors import STORE_UNAVAILABLE, RpcError


class StoreUnavailable(RpcError):
    """The shared store cannot be reached (now): the request in hand is refused with
    HTTP 503 / a JSON-RPC error and may be retried; nothing is half-written. An
    :class:`RpcError`, so wherever it is raised the peer gets that error (never
    ``Internal error``); its message names no host, URL or secret."""

    def __init__(self, detail: str = "the shared state store cannot be reached") -> None:
        super().__init__(STORE_UNAVAILABLE, f"Service unavailable: {detail}; retry later")


class Store(Protocol):
    """A shared, expiring key space. Keys are plain strings chosen by the caller;
    implementations may prefix them (one Redis database can serve several servers)."""

    shared: bool
    """Whether other instances see what is written here. When ``False`` (one process's
    :class:`~.memory.MemoryStore`, the default) the transports keep per-session state in
    their own memory and never pay a store round trip for it."""

    # ---- records: one value per key ---------------------------------------------------

    async def get(self, key: str) -> bytes | None:
        """The value, or ``None`` when absent or expired."""
        ...

    async def put(self, key: str, value: bytes, *, ttl_s: float) -> None:
        """Set ``key``, alive for ``ttl_s`` seconds from now."""
        ...

    async def put_new(self, key: str, value: bytes, *, ttl_s: float) -> bool:
        """Set ``key`` only if absent; whether it was set (a claim, a lock)."""
        ...

    async def touch(self, key: str, *, ttl_s: float) -> bool:
        """Extend ``key``'s life to ``ttl_s`` from now; ``False`` when it is gone."""
        ...

    async def delete(self, key: str) -> None: ...

    # ---- event logs: ordered, capped, expiring ----------------------------------------

    async def append(self, log: str, payload: bytes, *, max_len: int, ttl_s: float) -> str:
        """Add one event; returns its position, an opaque string that sorts in order
        within ``log`` (compare with :func:`position_key`). The log keeps at least the
        last ``max_len`` events and lives ``ttl_s`` past its latest append."""
        ...

    async def read(
        self, log: str, after: str | None = None, *, wait_s: float | None = None
    ) -> list[tuple[str, bytes]]:
        """Events after position ``after`` (all kept events when ``None``), oldest first.
        With ``wait_s``, when there are none yet, wait up to that long for the next."""
        ...

    # ---- indexes: expiring sets of members --------------------------------------------

    async def index_add(self, index: str, member: str, *, ttl_s: float) -> None:
        """Add or refresh ``member``; it drops out ``ttl_s`` from now unless refreshed."""
        ...

    async def index_remove(self, index: str, member: str) -> None: ...

    async def index_members(self, index: str) -> list[str]:
        """The live members, in no particular order."""
        ...

    # ---- channels: fire-and-forget fan-out to every instance ---------------------------

    async def publish(self, channel: str, payload: bytes) -> None:
        """Deliver to every current subscriber of ``channel`` (on any instance); none
        listening means the message is gone."""
        ...

    def subscribe(self, channel: str) -> AbstractAsyncContextManager[AsyncIterator[bytes]]:
        """``async with store.subscribe(ch) as messages: async for m in messages``.
        Subscribed once the ``async with`` is entered. When the connection to the
        engine is lost and regained, the iterator goes on (messages published in
        between are lost: channels carry only what logs can replay). A cancelled wait
        for the next message (a timeout) leaves the iterator usable; it ends when the
        store closes."""
        ...

    async def close(self) -> None: ...


class Messages:
    """A subscriber's messages, fed by its engine through :meth:`put`. A class, not an
    async generator: cancelling one ``__anext__`` (``wait_for`` timing out) must not
    end the iteration."""

    __slots__ = ("_queue",)

    _END = object()

    def __init__(self) -> None:
        self._queue: asyncio.Queue[object] = asyncio.Queue()

    def put(self, message: bytes) -> None:
        self._queue.put_nowait(message)

    def end(self) -> None:
        self._queue.put_nowait(self._END)

    def __aiter__(self) -> Messages:
        return self

    async def __anext__(self) -> bytes:
        item = await self._queue.get()
        if item is self._END:
            self._queue.put_nowait(item)  # ended for good
            raise StopAsyncIteration
        assert isinstance(item, bytes)
        return item


def position_key(position: str) -> tuple[int, ...]:
    """A sortable key for an event position (``"<int>-<int>"``, Redis stream ids and
    :class:`~.memory.MemoryStore`'s alike); :class:`ValueError` for anything else."""
    first, sep, second = position.partition("-")
    if not sep or not (
        first.isascii() and first.isdigit() and second.isascii() and second.isdigit()
    ):
        raise ValueError(f"not an event position: {position!r}")
    if len(first) > 20 or len(second) > 20:
        raise ValueError(f"not an event position: {position!r}")
    return int(first), int(second)
