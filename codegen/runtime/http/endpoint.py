"""The Streamable HTTP MCP endpoint (POST, GET, DELETE on one path), for both eras.

Each POST is routed by what it carries, as the versioning page prescribes for a
dual-era server:

* a message with per-request ``_meta`` protocol version → the 2026-07-28 stateless wire
  (routing headers checked, JSON-RPC errors mapped to HTTP statuses, no sessions);
* an ``Mcp-Session-Id`` → that legacy session (404 once it is gone);
* ``initialize`` without a session → a new legacy session;
* anything else → the stateless wire, whose envelope checks then reject it clearly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from mcp_foundry.runtime import revisions, wire
from mcp_foundry.runtime.errors import HEADER_MISMATCH, INVALID_REQUEST, RpcError
from mcp_foundry.runtime.http import asgi, inbound, writer
from mcp_foundry.runtime.http.asgi import Receive, Scope, Send
from mcp_foundry.runtime.http.config import HttpConfig
from mcp_foundry.runtime.http.headers import (
    HeaderMismatch,
    InvalidHeaderAnnotation,
    ParamHeader,
    check_routing_headers,
    param_headers,
)
from mcp_foundry.runtime.http.modern import (
    VERSION_HEADER,
    ModernExchange,
    Watchdog,
    transport_facts,
)
from mcp_foundry.runtime.http.port import Message, ServerCore
from mcp_foundry.runtime.http.sessions import HttpSession, SessionRegistry
from mcp_foundry.runtime.store import StoreUnavailable

log = logging.getLogger("mcp_foundry.runtime.http")

SESSION_HEADER = "mcp-session-id"


ToolSchemaLookup = Callable[[str], "Mapping[str, Any] | None"]


class StreamableHttpEndpoint:
    """ASGI app for the MCP endpoint. Security checks run before anything is read."""

    def __init__(
        self,
        server: ServerCore,
        config: HttpConfig,
        sessions: SessionRegistry,
        tool_schema: ToolSchemaLookup | None = None,
    ) -> None:
        self.server = server
        self.config = config
        self.sessions = sessions
        self.tool_schema = tool_schema
        self.supported = frozenset(revisions.available())
        self.listening: set[ModernExchange] = set()
        self.running: set[ModernExchange] = set()
        """Modern requests being answered (listen streams are in ``listening`` instead)."""
        self.watchdog = Watchdog()
        self._annotations: dict[int, tuple[Mapping[str, Any], tuple[ParamHeader, ...]]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        headers = asgi.header_map(scope)
        refused = inbound.refusal(headers, self.config.hosts)
        if refused is not None:
            await asgi.respond_error(send, *refused)
            return
        method = scope["method"]
        try:
            if method == "POST":
                await self._post(receive, send, headers)
            elif method == "GET":
                await self._get(receive, send, headers)
            elif method == "DELETE":
                await self._delete(send, headers)
            else:
                await asgi.respond(send, 405, headers=[(b"allow", b"GET, POST, DELETE")])
        except StoreUnavailable as exc:
            await _unavailable(send, exc)

    # --- POST ----------------------------------------------------------------------

    async def _post(self, receive: Receive, send: Send, headers: dict[str, str]) -> None:
        accept = headers.get("accept")
        if not (
            asgi.accepts(accept, "application/json") and asgi.accepts(accept, "text/event-stream")
        ):
            await asgi.respond_error(
                send,
                406,
                INVALID_REQUEST,
                "Not Acceptable: Accept must list application/json and text/event-stream",
            )
            return
        message = await inbound.read_message(receive, send, headers, self.config.max_body_bytes)
        if message is inbound.REFUSED:
            return
        try:
            if not isinstance(message, list) and self.server.is_modern(message):
                await self._post_modern(receive, send, headers, message)
                return
            session_id = headers.get(SESSION_HEADER)
            if session_id is not None:
                request_id = wire.readable_id(message)
                session = await self._session(send, headers, session_id, request_id)
                if session is not None:
                    await self._post_legacy(send, headers, message, session)
            elif _opens_session(message):
                await self._post_legacy(send, headers, message, None)
            else:
                await self._post_modern(receive, send, headers, message)
        except StoreUnavailable as exc:
            await _unavailable(send, exc, wire.readable_id(message))

    async def _session(
        self, send: Send, headers: dict[str, str], session_id: str, request_id: Any = None
    ) -> HttpSession | None:
        """The session a request names, here or (shared store) rebuilt from its record;
        ``None`` once answered 404."""
        session_id = session_id.strip()
        session = self.sessions.get(session_id)
        if session is None and self.sessions.shared is not None:
            session = await self.sessions.load(session_id, transport_facts(headers))
        if session is not None and not session.owned_by_caller():
            session = None  # another's session: as if it did not exist (no oracle)
        if session is None:
            await asgi.respond_error(send, 404, INVALID_REQUEST, "Session not found", request_id)
        return session

    async def _post_legacy(
        self,
        send: Send,
        headers: dict[str, str],
        message: Any,
        session: HttpSession | None,
    ) -> None:
        version = headers.get(VERSION_HEADER)
        if version is not None and session is not None and version.strip() not in self.supported:
            await asgi.respond_error(
                send,
                400,
                INVALID_REQUEST,
                f"Unsupported MCP-Protocol-Version: {version.strip()!r};"
                f" supported: {', '.join(sorted(self.supported))}",
                wire.readable_id(message),
            )
            return
        if isinstance(message, list):
            if not _batching(session, message):
                await asgi.respond_error(
                    send,
                    400,
                    INVALID_REQUEST,
                    "Invalid Request: batches are not allowed here",
                )
                return
            items = message
            request_ids = [
                m["id"]
                for m in items
                if isinstance(m, dict) and "method" in m and wire.is_request_id(m.get("id"))
            ]
        else:
            kind = inbound.classify(message)
            if isinstance(kind, RpcError):
                await inbound.refuse_envelope(send, kind, message)
                return
            items = [message]
            request_ids = [message["id"]] if kind == "request" else []
        created = session is None
        if session is None:
            session = await self.sessions.create(transport_facts(headers))
            if session is None:
                await asgi.respond_error(
                    send,
                    503,
                    INVALID_REQUEST,
                    "Too many sessions",
                    wire.readable_id(message),
                )
                return
        assert session.core is not None
        for request_id in request_ids:
            if request_id in session.by_request:
                await asgi.respond_error(
                    send,
                    400,
                    INVALID_REQUEST,
                    f"Invalid Request: id {request_id!r} is in use",
                    request_id,
                )
                return
        session_header = session.id_header
        facts = transport_facts(headers)
        if not request_ids:
            if session.shared is not None:
                mine = await session.shared.forward(session, items)
                message = mine if isinstance(message, list) else (mine[0] if mine else None)
            if message:
                await session.core.feed(message, facts)
            for item in items:
                if isinstance(item, dict) and item.get("method") == "notifications/cancelled":
                    params = item.get("params")
                    if isinstance(params, dict):
                        session.cancel(params.get("requestId"))
            await asgi.respond(send, 202, headers=session_header)
            return
        reply = writer.Reply(
            send,
            session,
            request_ids,
            session_header,
            sse_only=self.config.always_sse,
            retry_ms=self.config.retry_ms,
        )
        session.route(request_ids, reply)
        try:
            if isinstance(message, list):
                await session.core.feed(message, facts)
            else:
                # handled in this task; what must reach the client before the answer
                # (progress, a server→client request) makes the reply start its SSE writer
                await session.core.answer(message, facts)
            await reply.deliver()
        except BaseException as exc:
            if reply.cancel() and isinstance(exc, StoreUnavailable):
                log.warning("a POST's stream cut short: the shared state store cannot be reached")
                return
            raise
        if created and not session.ready:
            self.sessions.discard(session.id)  # its initialize failed

    async def _post_modern(
        self, receive: Receive, send: Send, headers: dict[str, str], message: Any
    ) -> None:
        kind = inbound.classify(message)
        if isinstance(kind, RpcError):
            await inbound.refuse_envelope(send, kind, message)
            return
        if kind == "response":
            await asgi.respond_error(
                send,
                400,
                INVALID_REQUEST,
                "Invalid Request: clients send no responses on the stateless (modern) wire",
            )
            return
        try:
            self._check_headers(message, headers)
        except HeaderMismatch as exc:
            await asgi.respond_error(send, 400, HEADER_MISMATCH, str(exc), message.get("id"))
            return
        exchange = ModernExchange(self.server, send, receive, headers, self.config, self.watchdog)
        tracked = (
            self.listening if message.get("method") == "subscriptions/listen" else self.running
        )
        tracked.add(exchange)
        try:
            await exchange.run(message)
        finally:
            tracked.discard(exchange)

    def hang_up_listeners(self) -> None:
        """End every open ``subscriptions/listen`` stream (the server is stopping)."""
        for exchange in list(self.listening):
            exchange.hang_up(stopping=True)

    def stop_requests(self) -> None:
        """The drain time is over: answer every modern request still running with an error."""
        for exchange in list(self.running):
            exchange.stop()

    def _check_headers(self, message: Message, headers: Mapping[str, str]) -> None:
        """The header checks of a modern request, in their place in the contract's order.

        ``_meta`` problems outrank every header problem, and a version mismatch or an
        unsupported version outranks the routing headers; the core reports those, so
        the routing headers are only judged once they would pass.
        """
        params = message.get("params")
        meta = params.get("_meta") if isinstance(params, dict) else None
        if not isinstance(meta, dict) or revisions.CLIENT_CAPABILITIES_KEY not in meta:
            return
        version = meta.get(revisions.PROTOCOL_VERSION_KEY)
        header = headers.get(VERSION_HEADER)
        if header is None:
            raise HeaderMismatch("Missing required MCP-Protocol-Version header")
        if header.strip() == version and version in self.supported:
            check_routing_headers(headers, message, self._param_headers(message))

    def _param_headers(self, message: Message) -> tuple[ParamHeader, ...]:
        """The called tool's ``x-mcp-header`` annotations (cached per schema object)."""
        if self.tool_schema is None or message.get("method") != "tools/call":
            return ()
        name = message.get("params", {}).get("name")
        schema = self.tool_schema(name) if isinstance(name, str) else None
        if schema is None:
            return ()
        cached = self._annotations.get(id(schema))
        if cached is not None and cached[0] is schema:
            return cached[1]
        try:
            found = param_headers(schema)
        except InvalidHeaderAnnotation:
            found = ()
        if len(self._annotations) > 4096:
            self._annotations.clear()
        self._annotations[id(schema)] = (schema, found)
        return found

    # --- GET -----------------------------------------------------------------------

    async def _get(self, receive: Receive, send: Send, headers: dict[str, str]) -> None:
        session_id = headers.get(SESSION_HEADER)
        if session_id is None:
            await asgi.respond(send, 405, headers=[(b"allow", b"POST")])
            return
        if not asgi.accepts(headers.get("accept"), "text/event-stream"):
            await asgi.respond_error(
                send,
                406,
                INVALID_REQUEST,
                "Not Acceptable: Accept must list text/event-stream",
            )
            return
        session = await self._session(send, headers, session_id)
        if session is None:
            return
        last_event_id = headers.get("last-event-id")
        found = session.streams.find_event(last_event_id) if last_event_id is not None else None
        if found is None and session.shared is not None:
            await session.shared.serve_get(
                receive, send, session, last_event_id, self.config.keepalive_s
            )
            return
        if last_event_id is not None and found is None:
            await asgi.respond_error(send, 404, INVALID_REQUEST, "Unknown Last-Event-ID")
            return
        stream, after = found if found is not None else (session.standalone, None)
        live = stream.attach(after)
        await writer.stream_to_client(
            send,
            receive,
            stream,
            live,
            self.config.keepalive_s,
            session.id_header,
        )

    # --- DELETE --------------------------------------------------------------------

    async def _delete(self, send: Send, headers: dict[str, str]) -> None:
        session_id = headers.get(SESSION_HEADER)
        if session_id is None:
            await asgi.respond(send, 405, headers=[(b"allow", b"POST")])
            return
        session = await self._session(send, headers, session_id)  # its owner's to end
        if session is None:
            return
        if not await self.sessions.remove(session.id):
            await asgi.respond_error(send, 404, INVALID_REQUEST, "Session not found")
            return
        await asgi.respond(send, 200)


async def _unavailable(send: Send, exc: StoreUnavailable, request_id: Any = None) -> None:
    """State the request needs is on the shared store, out of reach for now: 503, and
    ``Retry-After`` says when to try again."""
    await asgi.respond_error(send, 503, exc.code, exc.message, request_id, headers=asgi.RETRY_AFTER)


def _batching(session: HttpSession | None, batch: list[Any]) -> bool:
    """Batches only on sessions whose revision has them (2025-03-26), never empty."""
    revision = session.revision if session is not None else None
    return bool(batch) and revision is not None and revisions.bindings(revision).batching


def _opens_session(message: Any) -> bool:
    items = message if isinstance(message, list) else [message]
    return any(isinstance(m, dict) and m.get("method") == "initialize" for m in items)
