"""The deprecated HTTP+SSE transport of 2024-11-05: ``GET /sse`` + ``POST /messages``.

The SSE connection *is* the session: it opens with an ``endpoint`` event naming the
URL to POST messages to, carries every server message, and ends the session when the
client hangs up. Kept only so 2024-11-05 clients can still connect.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from codegen.runtime import wire
from codegen.runtime.errors import INVALID_REQUEST, RpcError
from codegen.runtime.http import asgi
from codegen.runtime.http.asgi import Receive, Scope, Send
from codegen.runtime.http.config import HttpConfig
from codegen.runtime.http.endpoint import stream_to_client
from codegen.runtime.http.modern import transport_facts
from codegen.runtime.http.sessions import SessionRegistry
from codegen.runtime.http.sse import frame


class LegacySseEndpoints:
    """Both endpoints of the old transport, sharing the session registry."""

    def __init__(
        self, config: HttpConfig, sessions: SessionRegistry, messages_path: str
    ) -> None:
        self.config = config
        self.sessions = sessions
        self.messages_path = messages_path

    async def _guard(self, scope: Scope, send: Send) -> dict[str, str] | None:
        headers = asgi.header_map(scope)
        if not self.config.hosts.origin_ok(headers.get("origin")):
            await asgi.respond_error(
                send, 403, INVALID_REQUEST, "Forbidden: Origin not allowed"
            )
            return None
        if not self.config.hosts.host_ok(headers.get("host")):
            await asgi.respond_error(
                send, 421, INVALID_REQUEST, "Misdirected request: Host not allowed"
            )
            return None
        return headers

    async def sse(self, scope: Scope, receive: Receive, send: Send) -> None:
        """``GET /sse``: open a session and stream it."""
        if scope["type"] != "http":
            return
        headers = await self._guard(scope, send)
        if headers is None:
            return
        if scope["method"] != "GET":
            await asgi.respond(send, 405, headers=[(b"allow", b"GET")])
            return
        session = await self.sessions.create(
            transport_facts(headers), single_stream=True
        )
        if session is None:
            await asgi.respond_error(send, 503, INVALID_REQUEST, "Too many sessions")
            return
        root = scope.get("root_path", "")
        endpoint = f"{root}{self.messages_path}?session_id={session.id}".encode("ascii")
        live = session.standalone.attach()
        first = frame(endpoint, event="endpoint")
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
            self.sessions.discard(session.id)

    async def messages(self, scope: Scope, receive: Receive, send: Send) -> None:
        """``POST /messages?session_id=…``: one client message into its session."""
        if scope["type"] != "http":
            return
        headers = await self._guard(scope, send)
        if headers is None:
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
        session = self.sessions.get(session_id)
        if session is None or session.core is None:
            await asgi.respond_error(send, 404, INVALID_REQUEST, "Session not found")
            return
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            await asgi.respond_error(
                send,
                415,
                INVALID_REQUEST,
                "Unsupported Media Type: Content-Type must be application/json",
            )
            return
        try:
            body = await asgi.read_body(receive, headers, self.config.max_body_bytes)
            message = wire.decode(body)
            if not isinstance(message, list):
                wire.check_envelope(message)
        except asgi.BodyTooLarge:
            await asgi.respond_error(
                send,
                413,
                INVALID_REQUEST,
                f"Request body over {self.config.max_body_bytes} bytes",
            )
            return
        except asgi.ClientGone:
            return
        except RpcError as exc:
            await asgi.respond_error(send, 400, exc.code, exc.message)
            return
        await session.core.feed(message, transport_facts(headers))
        await asgi.respond(send, 202, b"Accepted", [(b"content-type", b"text/plain")])
