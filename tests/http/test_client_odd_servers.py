"""The client against servers that answer oddly but legally enough to be met in the wild:
an empty ``server/discover`` answer, and modern results that leave out ``resultType``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
import pytest
from http_support import start_server
from mcp_foundry.runtime import revisions
from mcp_foundry.runtime.http.client import connect_http
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

MODERN = [v for v in revisions.available() if revisions.is_modern(v)]
LEGACY = [v for v in revisions.available() if not revisions.is_modern(v)]
INFO = {"name": "odd", "version": "1"}


def _server(answers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]]) -> Starlette:
    """A JSON-RPC endpoint answering each method from ``answers`` (202 for the rest)."""

    async def endpoint(request: Request) -> Response:
        message = await request.json()
        answer = answers.get(message.get("method", ""))
        if answer is None or "id" not in message:
            return Response(status_code=202)
        result = answer(message.get("params") or {})
        return JSONResponse({"jsonrpc": "2.0", "id": message["id"], "result": result})

    return Starlette(routes=[Route("/mcp", endpoint, methods=["POST"])])


def _run(app: Starlette, scenario: Callable[[str], Any]) -> Any:
    server, thread, sock, _ = start_server(app)
    host, port = sock.getsockname()[:2]
    try:
        return anyio.run(scenario, f"http://{host}:{port}/mcp")
    finally:
        server.should_exit = True
        thread.join(5)


@pytest.mark.skipif(not (MODERN and LEGACY), reason="needs both eras generated")
def test_an_empty_discover_answer_is_not_taken_for_a_modern_server() -> None:
    app = _server(
        {
            "server/discover": lambda params: {},
            "initialize": lambda params: {
                "protocolVersion": LEGACY[-1],
                "capabilities": {"tools": {}},
                "serverInfo": INFO,
            },
        }
    )

    async def scenario(url: str) -> str | None:
        with anyio.fail_after(15):
            async with connect_http(url) as client:
                return client.revision

    assert _run(app, scenario) == LEGACY[-1]


@pytest.mark.skipif(not MODERN, reason="needs a modern revision generated")
def test_a_modern_result_without_result_type_reads_as_complete() -> None:
    newest = MODERN[-1]
    app = _server(
        {
            "server/discover": lambda params: {
                "supportedVersions": [newest],
                "capabilities": {"tools": {}},
                "resultType": "complete",
            },
            "tools/list": lambda params: {"tools": [], "ttlMs": 0, "cacheScope": "private"},
        }
    )

    async def scenario(url: str) -> Any:
        with anyio.fail_after(15):
            async with connect_http(url, version=newest) as client:
                return await client.call("tools/list")

    result = _run(app, scenario)
    assert type(result).__name__ == "ListToolsResult"
    assert result.tools == []
