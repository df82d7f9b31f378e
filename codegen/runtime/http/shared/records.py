"""Session records: what an instance needs to rebuild a session another one started.

A record per session (revision, client capabilities and info, log level, subscriptions,
the key of its standalone stream, its owner), alive for the idle timeout and refreshed on
use, and the index entries fan-out reads (live sessions, subscribers per resource URI).
A change or a deletion reaches every live instance before the client hears of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
from mcp_foundry.runtime.http.shared import keys
from mcp_foundry.runtime.http.shared.peers import Peers
from mcp_foundry.runtime.store import Store

if TYPE_CHECKING:
    from mcp_foundry.runtime.http.sessions import HttpSession


class Records:
    """Reads and writes the records and index entries of shared sessions."""

    def __init__(self, store: Store, peers: Peers, idle_s: float) -> None:
        self.store = store
        self.peers = peers
        self.idle_s = idle_s

    async def load(self, session_id: str) -> dict[str, Any] | None:
        """The record of a live session, or ``None``."""
        if not keys.plausible_id(session_id):
            return None
        raw = await self.store.get(keys.record(session_id))
        if raw is None:
            return None
        state: dict[str, Any] = orjson.loads(raw)
        return state

    async def save(self, session: HttpSession, *, changed: bool = False) -> None:
        """Write the session's record and index entries (``changed``: tell the replicas,
        which reload it)."""
        core = session.core
        assert core is not None and core.revision is not None
        state = {**core.snapshot(), "stream": session.stream_key, "transport": "streamable-http"}
        await self.store.put(keys.record(core.id), orjson.dumps(state), ttl_s=self.idle_s)
        member = _member(session)
        await self.store.index_add(keys.LIVE, member, ttl_s=self.idle_s)
        for uri in core.subscribed - session.indexed:
            await self.store.index_add(keys.subscribers(uri), member, ttl_s=self.idle_s)
        for uri in session.indexed - core.subscribed:
            await self.store.index_remove(keys.subscribers(uri), member)
        session.indexed = set(core.subscribed)
        if changed:
            await self.peers.tell_all("reload", core.id)

    async def touch(self, session: HttpSession) -> bool:
        """Keep the record and index entries alive; ``False`` once the record is gone."""
        core = session.core
        if core is None or not await self.store.touch(keys.record(core.id), ttl_s=self.idle_s):
            return False
        member = _member(session)
        await self.store.index_add(keys.LIVE, member, ttl_s=self.idle_s)
        for uri in core.subscribed:
            await self.store.index_add(keys.subscribers(uri), member, ttl_s=self.idle_s)
        return True

    async def delete(self, session_id: str) -> bool:
        """End a session on every instance; ``False`` when there was no such session."""
        state = await self.load(session_id)
        if state is None:
            return False
        await self.store.delete(keys.record(session_id))
        member = keys.member(session_id, state["stream"], state["revision"])
        await self.store.index_remove(keys.LIVE, member)
        for uri in state.get("subscribed") or ():
            await self.store.index_remove(keys.subscribers(uri), member)
        await self.store.delete(keys.log(session_id, state["stream"]))
        await self.store.delete(keys.cursor(session_id, state["stream"]))
        await self.peers.tell_all("drop", session_id)
        return True


def _member(session: HttpSession) -> str:
    assert session.core is not None and session.core.revision is not None
    return keys.member(session.core.id, session.stream_key, session.core.revision)
