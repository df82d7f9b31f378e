"""The HTTP client turns a non-JSON-RPC answer into a prompt error instead of waiting for
an answer that never comes (an OAuth 401 body has an ``error`` key too)."""

from __future__ import annotations

import anyio
import pytest
from http_support import start_server
from mcp_foundry.runtime import revisions
from mcp_foundry.runtime.errors import RpcError
from mcp_foundry.runtime.http.client import connect_http
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def _oauth_refusal(request: Request) -> JSONResponse:
    return JSONResponse(
        {"error": "invalid_token", "error_description": "The access token expired"},
        status_code=401,
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


@pytest.mark.parametrize(
    "version",
    sorted({max(revisions.available(), key=revisions.is_modern), revisions.available()[0]}),
)
def test_an_oauth_401_body_fails_the_call_at_once(version: str) -> None:
    app = Starlette(routes=[Route("/mcp", _oauth_refusal, methods=["POST", "GET", "DELETE"])])
    server, thread, sock, _ = start_server(app)
    host, port = sock.getsockname()[:2]

    async def scenario() -> str:
        with anyio.fail_after(10):
            try:
                async with connect_http(f"http://{host}:{port}/mcp", version=version):
                    pass
            except RpcError as exc:
                return str(exc)
            raise AssertionError("a 401 answered the handshake")

    try:
        message = anyio.run(scenario)
    finally:
        server.should_exit = True
        thread.join(5)
    assert "401" in message
