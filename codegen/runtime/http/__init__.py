"""MCP over HTTP: the Streamable HTTP server transport (both eras), the deprecated
2024-11-05 HTTP+SSE transport, and the HTTP client transport.

Server: ``create_app(server)`` gives a starlette ASGI app for a runtime ``Server``;
``serve(app, port=...)`` runs it under uvicorn on 127.0.0.1, each connection handled
by our HTTP/1.1 protocol (``protocol``; the app runs under any ASGI server too).
Handlers see the request headers as ``ctx.headers`` and may end a legacy SSE stream early with
``ctx.close_sse_stream()`` (the client resumes it with ``Last-Event-ID``).
``create_app(server, config, auth=ResourceServerAuth.of(...))`` makes it an OAuth resource
server (``runtime.http.auth``: metadata, bearer checks, challenges, scopes per message).
Client: ``connect_http(url)`` / ``connect_sse(url)`` give a negotiated runtime
``Client``; ``connect(url)`` tries the first and falls back to the second for old
servers; ``HttpClientTransport(url)`` is the underlying message duplex.
The 2026-07-28 routing-header rules (both directions) are in ``headers``.
"""

from typing import TYPE_CHECKING

from mcp_foundry.runtime.http.app import create_app
from mcp_foundry.runtime.http.config import HttpConfig
from mcp_foundry.runtime.http.security import HostPolicy
from mcp_foundry.runtime.http.serve import serve
from mcp_foundry.runtime.lazy import exports

if TYPE_CHECKING:
    from mcp_foundry.runtime.http.client import HttpClientTransport, connect_http
    from mcp_foundry.runtime.http.client_sse import connect_sse
    from mcp_foundry.runtime.http.fallback import connect

# the client side (httpx) is imported when used: a server does not need it
__getattr__ = exports(
    __name__,
    {
        "HttpClientTransport": "client",
        "connect_http": "client",
        "connect_sse": "client_sse",
        "connect": "fallback",
    },
)

__all__ = [
    "HostPolicy",
    "HttpClientTransport",
    "HttpConfig",
    "connect",
    "connect_http",
    "connect_sse",
    "create_app",
    "serve",
]
