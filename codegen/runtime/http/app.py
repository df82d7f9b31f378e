"""Assemble the HTTP face of a server: the MCP endpoint, the deprecated SSE pair, lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from mcp_foundry.runtime.http.asgi import Receive, Scope, Send
from mcp_foundry.runtime.http.auth import AuthLayer, ResourceServerAuth
from mcp_foundry.runtime.http.config import HttpConfig
from mcp_foundry.runtime.http.endpoint import StreamableHttpEndpoint, ToolSchemaLookup
from mcp_foundry.runtime.http.legacy_sse import LegacySseEndpoints
from mcp_foundry.runtime.http.port import ServerCore
from mcp_foundry.runtime.http.sessions import SessionRegistry
from starlette.applications import Starlette
from starlette.routing import Route


class _Asgi:
    """Mark a bound coroutine as a raw ASGI app for starlette's router."""

    def __init__(self, call: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self._call = call

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._call(scope, receive, send)


class McpHttpApp:
    """The ASGI app. Requests for the MCP endpoint go straight to it (starlette's
    middleware stack costs about a quarter of a small request); everything else
    (lifespan, the HTTP+SSE pair, 404s) goes through the starlette app."""

    def __init__(self, endpoint: StreamableHttpEndpoint, path: str, starlette: Starlette) -> None:
        self.endpoint = endpoint
        self.path = path
        self.starlette = starlette
        self.state = starlette.state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == self.path and not scope.get("root_path"):
            await self.endpoint(scope, receive, send)
        else:
            await self.starlette(scope, receive, send)


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
    routes = [Route(config.path, endpoint)]
    legacy: LegacySseEndpoints | None = None
    if config.legacy_sse:
        legacy = LegacySseEndpoints(config, sessions, "/messages")
        routes.append(Route("/sse", _Asgi(legacy.sse)))
        routes.append(Route("/messages", _Asgi(legacy.messages)))

    drain = Drain(endpoint, sessions, legacy)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        try:
            async with server.running():
                yield
                await drain.close()
        finally:
            await server.store.close()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.mcp_drain = drain
    """What :class:`~mcp_foundry.runtime.http.serve.McpServer` drives when it stops."""
    served = McpHttpApp(endpoint, config.path, app)
    if auth is None:
        return served
    return AuthLayer(served, auth, config.hosts, config.max_body_bytes, config.max_sessions)


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
