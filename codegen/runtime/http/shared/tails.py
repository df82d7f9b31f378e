"""Streams read back from their store logs, for a GET on an instance that lacks them.

A GET without ``Last-Event-ID`` reads the session's standalone stream from where the
last GET stopped; with one, the standalone stream after that position, or a POST answer
stream after that event (answered elsewhere, maybe still running). If the instance
running the request dies, the reader says so: the requests will not be answered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mcp_foundry.runtime import wire
from mcp_foundry.runtime.errors import INTERNAL_ERROR, RpcError
from mcp_foundry.runtime.http.port import RequestId
from mcp_foundry.runtime.http.shared import keys, post_log
from mcp_foundry.runtime.http.shared.peers import Peers
from mcp_foundry.runtime.http.streams import ENDED, Item
from mcp_foundry.runtime.store import Store, position_key

if TYPE_CHECKING:
    from mcp_foundry.runtime.http.sessions import HttpSession


class Tails:
    """Finds the log a GET reads."""

    def __init__(self, store: Store, peers: Peers, idle_s: float) -> None:
        self.store = store
        self.peers = peers
        self.idle_s = idle_s

    async def find(
        self, session: HttpSession, last_event_id: str | None
    ) -> StandaloneTail | PostTail | None:
        """What a GET reads; ``None`` for an event id this session's streams never had.
        Event ids are ``<stream key>/<n>``."""
        assert session.core is not None
        session_id = session.core.id
        if last_event_id is None:
            at = await self.store.get(keys.cursor(session_id, session.stream_key))
            after = at.decode("ascii") if at is not None else None
            return StandaloneTail(self, session_id, session.stream_key, after)
        key, _, rest = last_event_id.strip().rpartition("/")
        if key == session.stream_key:
            try:
                position_key(rest)
            except ValueError:
                return None
            return StandaloneTail(self, session_id, key, rest)
        if not (keys.plausible_id(key) and rest.isascii() and rest.isdigit() and len(rest) <= 20):
            return None
        tail = PostTail(self, keys.log(session_id, key), key, int(rest))
        return tail if await tail.open() else None


class StandaloneTail:
    """A session's standalone stream (events ``<key>/<position in the log>``)."""

    def __init__(self, tails: Tails, session_id: str, stream_key: str, after: str | None) -> None:
        self.store = tails.store
        self.idle_s = tails.idle_s
        self.name = keys.log(session_id, stream_key)
        self.cursor = keys.cursor(session_id, stream_key)
        self.key = stream_key
        self.after = after

    async def next(self, wait_s: float) -> list[Item]:
        events = await self.store.read(self.name, self.after, wait_s=wait_s)
        if events:
            self.after = events[-1][0]
        return [Item(payload, f"{self.key}/{position}") for position, payload in events]

    async def delivered(self) -> None:
        """The client has what was read: a fresh GET goes on from here."""
        if self.after is not None:
            await self.store.put(self.cursor, self.after.encode("ascii"), ttl_s=self.idle_s)


class PostTail:
    """A POST response stream (events ``<key>/<seq>``), to its end."""

    def __init__(self, tails: Tails, name: str, key: str, after: int) -> None:
        self.store = tails.store
        self.peers = tails.peers
        self.name = name
        self.key = key
        self.after = after
        self.position: str | None = None
        self.owner: str | None = None
        self.ids: list[RequestId] = []
        self.seq = after

    async def open(self) -> bool:
        """Read the head: ``False`` when no such stream was ever copied here."""
        head = await self.store.read(self.name, None)
        if not head:
            return False
        position, raw = head[0]
        _, kind, payload = post_log.parse(raw)
        if kind != post_log.HEAD:
            return False
        self.owner, self.ids = post_log.parse_head(payload)
        self.position = position
        return True

    async def next(self, wait_s: float) -> list[Item]:
        events = await self.store.read(self.name, self.position, wait_s=wait_s)
        items: list[Item] = []
        for position, raw in events:
            self.position = position
            seq, kind, payload = post_log.parse(raw)
            self.seq = max(self.seq, seq)
            if kind == post_log.HEAD or seq <= self.after:
                if kind in (post_log.FINAL, post_log.ENDED):
                    return [ENDED]  # the client has the end already
                continue
            if kind == post_log.ENDED:
                return [*items, ENDED]
            items.append(Item(payload, f"{self.key}/{seq}", kind == post_log.FINAL))
            if kind == post_log.FINAL:
                return items
        if not events and self.owner is not None and not await self.peers.alive(self.owner):
            return self._orphaned()
        return items

    def _orphaned(self) -> list[Item]:
        """The instance running the request is gone: say it will not be answered."""
        error = RpcError(
            INTERNAL_ERROR,
            "Internal error: the server instance running this request stopped;"
            " it will not be answered",
        )
        answers = [wire.encode(wire.error_response(i, error)) for i in self.ids]
        self.seq += 1
        items = [Item(a, f"{self.key}/{self.seq}") for a in answers]
        return (
            [*items[:-1], Item(items[-1].payload, items[-1].event_id, True)] if items else [ENDED]
        )

    async def delivered(self) -> None:
        return None
