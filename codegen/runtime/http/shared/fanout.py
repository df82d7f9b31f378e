"""Standalone streams as store logs: a message for a session's GET, or for every session's.

The instance holding a session's ``GET`` may not be the one with something to say, so
any instance appends to the stream's log and the holder reads it. Fan-out (list changes,
resource updates) goes to every live or subscribed session through the indexes, one
append each, encoded once per revision; it is the server's ``legacy_fanout``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mcp_foundry.runtime import wire
from mcp_foundry.runtime.errors import RpcError
from mcp_foundry.runtime.http.port import ServerCore
from mcp_foundry.runtime.http.shared import keys
from mcp_foundry.runtime.http.streams import MAX_EVENTS
from mcp_foundry.runtime.store import Store


class Fanout:
    """Appends to the standalone stream logs of shared sessions."""

    def __init__(self, server: ServerCore, store: Store, idle_s: float) -> None:
        self.server = server
        self.store = store
        self.idle_s = idle_s

    async def append(self, session_id: str, stream_key: str, payload: bytes) -> None:
        """One message down a session's standalone stream, whichever instance holds it."""
        await self.store.append(
            keys.log(session_id, stream_key), payload, max_len=MAX_EVENTS, ttl_s=self.idle_s
        )

    async def notify_all(self, method: str, params: dict[str, Any] | None) -> None:
        await self._fan_out(await self.store.index_members(keys.LIVE), method, params)

    async def notify_subscribers(
        self, uri: str, method: str, params: dict[str, Any] | None
    ) -> None:
        members = await self.store.index_members(keys.subscribers(uri))
        await self._fan_out(members, method, params)

    async def _fan_out(
        self, members: Iterable[str], method: str, params: dict[str, Any] | None
    ) -> None:
        encoded: dict[str, bytes] = {}
        for member in members:
            session_id, stream_key, revision = keys.parse_member(member)
            payload = encoded.get(revision)
            if payload is None:
                try:
                    out = self.server.outgoing_params(revision, method, params)
                except RpcError:
                    continue
                payload = encoded[revision] = wire.encode(wire.notification(method, out))
            await self.append(session_id, stream_key, payload)
