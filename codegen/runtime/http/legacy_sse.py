"""The deprecated HTTP+SSE transport of 2024-11-05: ``GET /sse`` + ``POST /messages``.

The SSE connection *is* the session: it opens with an ``endpoint`` event naming the
URL to POST messages to, carries every server message, and ends the session when the
client hangs up. Kept only so 2024-11-05 clients can still connect.

Behind a balancer these sessions stay on one instance (they are never written to a shared
store): the balancer must send ``/messages`` to the instance holding the ``/sse`` stream.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from mcp_foundry.runtime.errors import INVALID_REQUEST, RpcError
from mcp_foundry.runtime.http import asgi, inbound
from mcp_foundry.runtime.http.asgi import Receive, Scope, Send
from mcp_foundry.runtime.http.config import HttpConfig
from mcp_foundry.runtime.http.modern import transport_facts
from mcp_foundry.runtime.http.sessions import SessionRegistry
from mcp_foundry.runtime.http.sse import frame
from mcp_foundry.runtime.http.writer import stream_to_client


class LegacySseEndpoints:
    """Both endpoints of the old transport, sharing the session registry."""

    def __init__(self, config: HttpConfig, sessions: SessionRegistry, messages_path: str) -> None:
        self.config = config
        self.sessions = sessions
        self.messages_path = messages_path
        self.open_streams = 0
        """``GET /sse`` streams open: each lasts as long as its session."""

    async def sse(self, scope: Scope, receive: Receive, send: Send) -> None:
        """``GET /sse``: open a session and stream it."""
        if scope["type"] != "http":
            return
        headers = asgi.header_map(scope)
        refused = inbound.refusal(headers, self.config.hosts)
        if refused is not None:
            await asgi.respond_error(send, *refused)
            return
        if scope["method"] != "GET":
            await asgi.respond(send, 405, headers=[(b"allow", b"GET")])
            return
        session = await self.sessions.create(transport_facts(headers), single_stream=True)
        if session is None:
            await asgi.respond_error(send, 503, INVALID_REQUEST, "Too many sessions")
            return
        root = scope.get("root_path", "")
        endpoint = f"{root}{self.messages_path}?session_id={session.id}".encode("ascii")
        live = session.standalone.attach()
        first = frame(endpoint, event="endpoint")
        self.open_streams += 1
        try:
            await stream_to_client(
                send,
                receive,
                session.standalone,
                live,
                self.config.keepalive_s,
                [],
                first,
            )
        finally:
            self.open_streams -= 1
            self.sessions.discard(session.id, single_stream=True)

    async def messages(self, scope: Scope, receive: Receive, send: Send) -> None:
        """``POST /messages?session_id=…``: one client message into its session (404 for
        a session another token opened, as for none)."""
        if scope["type"] != "http":
            return
        headers = asgi.header_map(scope)
        refused = inbound.refusal(headers, self.config.hosts)
        if refused is not None:
            await asgi.respond_error(send, *refused)
            return
        if scope["method"] != "POST":
            await asgi.respond(send, 405, headers=[(b"allow", b"POST")])
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        session_id = (query.get("session_id") or [None])[0]
        if session_id is None:
            await asgi.respond_error(
                send, 400, INVALID_REQUEST, "session_id query parameter is required"
            )
            return
        session = self.sessions.get(session_id, single_stream=True)
        if session is None or session.core is None or not session.owned_by_caller():
            await asgi.respond_error(send, 404, INVALID_REQUEST, "Session not found")
            return
        message = await inbound.read_message(receive, send, headers, self.config.max_body_bytes)
        if message is inbound.REFUSED:
            return
        if not isinstance(message, list):
            kind = inbound.classify(message)
            if isinstance(kind, RpcError):
                await inbound.refuse_envelope(send, kind, message)
                return
        await session.core.feed(message, transport_facts(headers))
        await asgi.respond(send, 202, b"Accepted", [(b"content-type", b"text/plain")])
