"""Legacy Streamable HTTP sessions served by several instances through a shared store.

Behind a balancer without stickiness each request of a 2025-11-25 (or older) session may
land on any instance, so what serving it needs lives in the server's store, one job per
module:

* :mod:`.keys`: where each piece lives in the store;
* :mod:`.peers`: the instances alive (heartbeats) and the channel between them;
* :mod:`.records`: a record per session, from which an instance without the session
  rebuilds a replica, and the indexes of live and subscribed sessions;
* :mod:`.relay`: what arrived at the wrong instance goes on to the right one (a client's
  answer to a server→client request, a cancellation, a deletion, a changed setting);
* :mod:`.fanout`: the standalone streams as store logs, appended to by any instance
  (the session's own notifications, fan-out) and read by the one holding the ``GET``;
* :mod:`.mirror` (in the format of :mod:`.post_log`): POST response streams that became
  SSE, copied to a log each, so a ``Last-Event-ID`` resumption works on any instance;
* :mod:`.tails` and :mod:`.get`: a GET served from those logs.

The deprecated HTTP+SSE transport stays on one instance (its GET stream is the session).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mcp_foundry.runtime.http.asgi import Receive, Send
from mcp_foundry.runtime.http.port import ServerCore
from mcp_foundry.runtime.http.shared import get
from mcp_foundry.runtime.http.shared.fanout import Fanout
from mcp_foundry.runtime.http.shared.mirror import Mirrors
from mcp_foundry.runtime.http.shared.peers import Peers
from mcp_foundry.runtime.http.shared.records import Records
from mcp_foundry.runtime.http.shared.relay import Relay
from mcp_foundry.runtime.http.shared.tails import Tails
from mcp_foundry.runtime.store import Store

if TYPE_CHECKING:
    from mcp_foundry.runtime.http.sessions import HttpSession

__all__ = ["SharedSessions"]


class SharedSessions:
    """One instance's side of the shared legacy sessions: the parts, wired together.

    Sessions use the parts (``records``, ``fanout``, ``mirrors``, ``relay.prefix``); the
    endpoint calls :meth:`forward` and :meth:`serve_get`."""

    def __init__(
        self,
        server: ServerCore,
        store: Store,
        *,
        idle_s: float,
        local: Callable[[str], HttpSession | None],
        drop: Callable[[str], object],
    ) -> None:
        self.peers = Peers(store)
        self.records = Records(store, self.peers, idle_s)
        self.relay = Relay(self.peers, self.records, local=local, drop=drop)
        self.fanout = Fanout(server, store, idle_s)
        self.mirrors = Mirrors(store, self.peers.instance, idle_s)
        self.tails = Tails(store, self.peers, idle_s)

    async def start(self) -> None:
        """Join the other instances (see :meth:`.peers.Peers.start`)."""
        await self.peers.start(self.relay.act)

    async def close(self) -> None:
        await self.peers.close()

    async def forward(self, session: HttpSession, items: list[Any]) -> list[Any]:
        """Send what a POST carried for other instances there; returns what is for this one."""
        return await self.relay.forward(session, items)

    async def serve_get(
        self,
        receive: Receive,
        send: Send,
        session: HttpSession,
        last_event_id: str | None,
        keepalive_s: float,
    ) -> None:
        """A GET this instance cannot serve from memory (see :mod:`.get`)."""
        await get.serve_get(
            receive,
            send,
            session,
            last_event_id,
            keepalive_s,
            tails=self.tails,
            relay=self.relay,
        )
