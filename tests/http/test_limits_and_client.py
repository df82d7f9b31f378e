"""Session limits and expiry on a dedicated server; client-side rules of the transport."""

from __future__ import annotations

import time
from collections.abc import Iterator

import anyio
import httpx
import pytest
from http_fixture_app import app
from http_support import (
    BOTH,
    LEGACY,
    Live,
    call,
    initialize,
    legacy_headers,
    open_session,
    post,
    start_server,
)
from mcp_foundry.runtime.http import HttpConfig, create_app
from mcp_foundry.runtime.http.client import HttpClientTransport, client_on, connect_http


@pytest.fixture
def small_server() -> Iterator[str]:
    config = HttpConfig(max_sessions=2, session_idle_s=0.5, legacy_sse=False)
    server, thread, sock, _ = start_server(create_app(app.runtime(), config))
    host, port = sock.getsockname()[:2]
    yield f"http://{host}:{port}/mcp"
    server.should_exit = True
    thread.join(10)


def test_session_cap_and_idle_expiry(small_server: str, http: httpx.Client) -> None:
    first = open_session(http, small_server)
    open_session(http, small_server)
    init = initialize()
    full = post(http, small_server, init, {"accept": BOTH, "content-type": "application/json"})
    assert full.status_code == 503
    time.sleep(0.7)
    open_session(http, small_server)  # the idle ones expired to make room
    assert (
        post(http, small_server, call("echo", {"text": "x"}), legacy_headers(first)).status_code
        == 404
    )
    assert http.get(small_server.replace("/mcp", "/sse")).status_code == 404, (
        "HTTP+SSE can be switched off"
    )


def test_failed_initialize_leaves_no_session(live: Live, http: httpx.Client) -> None:
    init = {
        "jsonrpc": "2.0",
        "id": 0,
        "method": "initialize",
        "params": {"protocolVersion": LEGACY},
    }
    reply = post(http, live.url, init, {"accept": BOTH, "content-type": "application/json"})
    assert "error" in reply.json()
    session = reply.headers["mcp-session-id"]
    assert (
        post(http, live.url, call("echo", {"text": "x"}), legacy_headers(session)).status_code
        == 404
    )


def test_client_drops_tools_with_invalid_header_annotations(live: Live) -> None:
    async def run() -> None:
        async with connect_http(live.url) as client:
            names = [t.name for t in (await client.list_tools()).tools]
            assert "region" in names and "bad_header" not in names

    anyio.run(run)


def test_client_sends_modern_routing_headers(live: Live) -> None:
    seen: list[httpx.Request] = []

    async def run() -> None:
        async with httpx.AsyncClient(event_hooks={"request": [_record(seen)]}) as http:
            async with HttpClientTransport(live.url, http=http) as transport:
                meta = {
                    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                    "io.modelcontextprotocol/clientCapabilities": {},
                }
                message = {
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "tools/call",
                    "params": {
                        "name": "echo",
                        "arguments": {"text": "t"},
                        "_meta": meta,
                    },
                }
                replies = [r async for r in transport.post(message)]
                assert replies[0]["result"]["content"][0]["text"] == "t"

    anyio.run(run)
    headers = seen[0].headers
    assert headers["mcp-method"] == "tools/call" and headers["mcp-name"] == "echo"
    assert headers["mcp-protocol-version"] == "2026-07-28" and "mcp-session-id" not in headers


def _record(seen: list[httpx.Request]):  # type: ignore[no-untyped-def]
    async def hook(request: httpx.Request) -> None:
        seen.append(request)

    return hook


def test_http_errors_without_json_rpc_body_become_transport_errors(live: Live) -> None:
    """A bare 4xx (what a legacy or non-MCP server gives) reaches the engine as an error
    response for the same id, with the HTTP status, so a dual-era client can fall back.
    """

    async def run() -> None:
        async with HttpClientTransport(live.base + "/not-mcp") as transport:
            await transport.send({"jsonrpc": "2.0", "id": 3, "method": "ping"})
            reply = await transport.receive()
            assert reply["id"] == 3
            assert reply["error"]["code"] == -32000 and reply["error"]["data"] == {
                "httpStatus": 404
            }
        async with HttpClientTransport("http://127.0.0.1:9/mcp") as transport:
            await transport.send({"jsonrpc": "2.0", "id": 4, "method": "ping"})
            reply = await transport.receive()
            assert reply["id"] == 4 and reply["error"]["data"] == {"httpStatus": 0}

    anyio.run(run)


def test_client_renews_an_expired_session(live: Live) -> None:
    """After a 404 for its session the client re-initializes and retries, transparently."""

    async def run() -> None:
        async with (
            HttpClientTransport(live.url) as transport,
            client_on(transport, "2025-11-25", True, {}) as client,
        ):
            assert (await client.call_tool("echo", {"text": "one"})).content[0].text == "one"
            old = transport.session_id
            async with httpx.AsyncClient() as http:
                assert (
                    await http.delete(live.url, headers={"mcp-session-id": old})
                ).status_code == 200
            assert (await client.call_tool("echo", {"text": "two"})).content[0].text == "two"
            assert transport.session_id not in (None, old)

    anyio.run(run)
