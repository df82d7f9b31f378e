"""What reaches the wrong instance goes on to the right one.

A request's handler runs on the instance its POST reached, but the client's next message
may land anywhere: its answer to a server→client request goes to the instance that asked
(the request id starts with that instance's prefix), a ``notifications/cancelled`` to all
(the request may run on any). A new GET ends the ones reading the same stream elsewhere;
a changed or deleted session is reloaded or dropped by every replica. This module sends
those and applies them on arrival.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mcp_foundry.runtime.http.shared.peers import Peers
from mcp_foundry.runtime.http.shared.records import Records

if TYPE_CHECKING:
    from mcp_foundry.runtime.http.sessions import HttpSession


class Relay:
    """This instance's side of the hand-overs (see the module docstring)."""

    def __init__(
        self,
        peers: Peers,
        records: Records,
        *,
        local: Callable[[str], HttpSession | None],
        drop: Callable[[str], object],
    ) -> None:
        self.peers = peers
        self.records = records
        self.prefix = f"{peers.instance}."
        """Our server→client request ids start with it: an answer elsewhere comes back here."""
        self._local = local
        self._drop = drop

    async def forward(self, session: HttpSession, items: list[Any]) -> list[Any]:
        """Send what belongs to other instances there; returns what is for this one."""
        assert session.core is not None
        mine: list[Any] = []
        for item in items:
            if not isinstance(item, dict):
                mine.append(item)
                continue
            request_id = item.get("id")
            if (
                "method" not in item
                and isinstance(request_id, str)
                and not request_id.startswith(self.prefix)
                and "." in request_id
            ):
                owner = request_id.partition(".")[0]
                await self.peers.tell("answer", session.core.id, to=owner, message=item)
                continue
            if item.get("method") == "notifications/cancelled":
                await self.peers.tell("cancel", session.core.id, message=item)
            mine.append(item)
        return mine

    async def take_over(self, session: HttpSession, stream_key: str) -> None:
        """A new GET on ``stream_key``: connections reading it here or elsewhere end (the
        server sends each message on one stream only)."""
        assert session.core is not None
        session.stop_tails(stream_key)
        await self.peers.tell("detach", session.core.id, stream=stream_key)

    async def act(self, op: str, session_id: str, body: dict[str, Any]) -> None:
        """Apply what another instance sent (the :data:`~.peers.Handler` of the channel)."""
        if op == "drop":
            self._drop(session_id)
            return
        session = self._local(session_id)
        if session is None or session.core is None:
            return
        if op == "detach":
            session.stop_tails(str(body.get("stream")))
        elif op == "answer":
            await session.core.feed(body["message"])
        elif op == "cancel":
            await session.core.feed(body["message"])
            params = body["message"].get("params")
            if isinstance(params, dict):
                session.cancel(params.get("requestId"))
        elif op == "reload":
            state = await self.records.load(session_id)
            if state is not None:
                session.core.update(state)
                session.indexed = set(session.core.subscribed)
