"""Assemble the HTTP face of a server: the MCP endpoint, the deprecated SSE pair, lifespan.

A few lines of ASGI routing rather than a framework: the paths are fixed, and starlette's
import was about 7% of the instructions an HTTP server runs before its first answer.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from types import SimpleNamespace
from typing import TYPE_CHECKING

from mcp_foundry.runtime.http.asgi import Receive, Scope, Send, respond
from mcp_foundry.runtime.http.config import HttpConfig
from mcp_foundry.runtime.http.endpoint import StreamableHttpEndpoint, ToolSchemaLookup
from mcp_foundry.runtime.http.legacy_sse import LegacySseEndpoints
from mcp_foundry.runtime.http.port import ServerCore
from mcp_foundry.runtime.http.sessions import SessionRegistry

if TYPE_CHECKING:  # the auth layer loads with the first protected app (issue #15: cold start)
    from mcp_foundry.runtime.http.auth import AuthLayer, ResourceServerAuth

log = logging.getLogger("mcp_foundry.runtime.http")

NOT_FOUND_HEADERS = [(b"content-type", b"text/plain; charset=utf-8")]


class McpHttpApp:
    """The ASGI app: the MCP endpoint at ``path``, the HTTP+SSE pair when enabled, 404
    elsewhere (a 307 to the path without, or with, its trailing slash where that one
    exists), and the lifespan, whose end forgets every session."""

    def __init__(
        self,
        endpoint: StreamableHttpEndpoint,
        path: str,
        drain: Drain,
        legacy: LegacySseEndpoints | None,
    ) -> None:
        self.endpoint = endpoint
        self.path = path
        self.drain = drain
        self.routes: dict[str, Callable[[Scope, Receive, Send], Awaitable[None]]] = {path: endpoint}
        if legacy is not None:
            self.routes["/sse"] = legacy.sse
            self.routes["/messages"] = legacy.messages
        self.state = SimpleNamespace(mcp_drain=drain)
        """What :class:`~mcp_foundry.runtime.http.serve.McpServer` drives when it stops."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            root = scope.get("root_path", "")
            path = scope["path"]
            if not root and path == self.path:
                await self.endpoint(scope, receive, send)  # the hot path: no lookup
                return
            if root and path.startswith(root):
                path = path[len(root) :]  # mounted: the paths are the mount's
            route = self.routes.get(path)
            if route is not None:
                await route(scope, receive, send)
            else:
                await self._not_found(scope, root, path, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)
        else:
            await send({"type": "websocket.close", "code": 1000, "reason": ""})

    async def _not_found(self, scope: Scope, root: str, path: str, send: Send) -> None:
        other = path[:-1] if path.endswith("/") else path + "/"
        if path != "/" and other in self.routes:
            query = scope.get("query_string", b"")
            location = (root + other).encode() + (b"?" + query if query else b"")
            await respond(send, 307, headers=[(b"location", location)])
            return
        await respond(send, 404, b"Not Found", NOT_FOUND_HEADERS)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        """The server runs its background work (``Server.running``) from start-up to
        shutdown; at shutdown the sessions are forgotten first, the shared store last."""
        server = self.endpoint.server
        phase = "startup"
        try:
            async with AsyncExitStack() as running:
                while True:
                    message = await receive()
                    if message["type"] == "lifespan.startup":
                        await running.enter_async_context(server.running())
                        await send({"type": "lifespan.startup.complete"})
                    elif message["type"] == "lifespan.shutdown":
                        phase = "shutdown"
                        await self.drain.close()
                        break
        except Exception:
            log.exception("the server's lifespan failed")
            await send({"type": f"lifespan.{phase}.failed", "message": "see the log"})
            return
        finally:
            await server.store.close()
        await send({"type": "lifespan.shutdown.complete"})


def create_app(
    server: ServerCore,
    config: HttpConfig | None = None,
    *,
    tool_schema: ToolSchemaLookup | None = None,
    auth: ResourceServerAuth | None = None,
) -> McpHttpApp | AuthLayer:
    """An ASGI app serving ``server`` over Streamable HTTP (and HTTP+SSE when enabled).

    ``tool_schema(name)`` returns a tool's ``inputSchema``; given it, the endpoint checks
    ``Mcp-Param-*`` headers against the tool's ``x-mcp-header`` annotations itself.
    With ``auth`` the server is an OAuth resource server (``runtime.http.auth``).
    """
    config = config or HttpConfig()
    sessions = SessionRegistry(
        server, idle_s=config.session_idle_s, max_sessions=config.max_sessions
    )
    endpoint = StreamableHttpEndpoint(server, config, sessions, tool_schema)
    legacy = LegacySseEndpoints(config, sessions, "/messages") if config.legacy_sse else None
    served = McpHttpApp(endpoint, config.path, Drain(endpoint, sessions, legacy), legacy)
    if auth is None:
        return served
    from mcp_foundry.runtime.http.auth.layer import AuthLayer

    return AuthLayer(served, auth, config.hosts, config.max_body_bytes)


class Drain:
    """The app's side of a shutdown (the sequence is in :mod:`.serve`)."""

    def __init__(
        self,
        endpoint: StreamableHttpEndpoint,
        sessions: SessionRegistry,
        legacy: LegacySseEndpoints | None,
    ) -> None:
        self.endpoint = endpoint
        self.sessions = sessions
        self.legacy = legacy

    def end_streams(self) -> None:
        """Streams with no end of their own end now: GET streams, ``subscriptions/listen``."""
        self.endpoint.hang_up_listeners()
        self.sessions.end_streams()

    def in_flight(self) -> int:
        """Requests accepted and not yet answered, both eras."""
        return len(self.endpoint.running) + self.sessions.in_flight()

    def open_streams(self) -> int:
        """Exchanges that last until their session ends (``GET /sse``)."""
        return self.legacy.open_streams if self.legacy is not None else 0

    def stop_requests(self) -> None:
        """The drain time is over: every running request is answered with an error."""
        self.endpoint.stop_requests()
        self.sessions.stop_requests()

    async def close(self) -> None:
        """Forget every session (their requests are answered by now)."""
        self.endpoint.hang_up_listeners()
        await self.sessions.close_all()
