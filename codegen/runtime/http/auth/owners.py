"""Legacy sessions belong to whoever opened them.

A session id is no credential (security best practices: servers must not use sessions
for authentication, and should bind them to the user). The auth layer notes the owner
of each session it sees created (the ``Mcp-Session-Id`` of an answer, the
``session_id`` in a deprecated-SSE ``endpoint`` event) and refuses other callers' tokens
on it as if the session did not exist. (Sessions replicated from a shared store carry
their owner in their record; the endpoint checks those, since this table knows only the
sessions created through this instance.)
"""

from __future__ import annotations

import re
from collections import OrderedDict

from mcp_foundry.runtime.access import Owner
from mcp_foundry.runtime.http.asgi import ASGIMessage, Send

_SSE_SESSION = re.compile(rb"session_id=([0-9A-Za-z_\-]+)")


class SessionOwners:
    """Session id → owner, for the newest ``limit`` sessions (the registry's own cap)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._owners: OrderedDict[str, Owner] = OrderedDict()

    def allowed(self, session_id: str, owner: Owner) -> bool:
        known = self._owners.get(session_id)
        return known is None or known == owner

    def watch(self, send: Send, owner: Owner, *, sse_endpoint: bool) -> Send:
        """``send``, noting the session a response creates; with ``sse_endpoint`` also
        the one named by the first body chunk (the HTTP+SSE ``endpoint`` event)."""
        first_body = sse_endpoint

        async def noting(message: ASGIMessage) -> None:
            nonlocal first_body
            if message["type"] == "http.response.start":
                for name, value in message.get("headers", []):
                    if name.lower() == b"mcp-session-id":
                        self._own(value.decode("latin-1"), owner)
            elif message["type"] == "http.response.body" and first_body:
                first_body = False
                found = _SSE_SESSION.search(message.get("body", b""))
                if found:
                    self._own(found.group(1).decode("ascii"), owner)
            await send(message)

        return noting

    def _own(self, session_id: str, owner: Owner) -> None:
        self._owners[session_id] = owner
        self._owners.move_to_end(session_id)
        while len(self._owners) > self.limit:
            self._owners.popitem(last=False)
