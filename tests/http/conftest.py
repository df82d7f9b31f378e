"""A real uvicorn server on an ephemeral loopback port, in a thread of the test process
(so tests can read the fixture app's flags), plus raw-HTTP helpers."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
import pytest
import uvicorn

from codegen.runtime.http import HttpConfig, create_app
from codegen.runtime.http.serve import McpServer, server_config
from codegen.runtime.http.sse import Event, EventParser

from http_fixture_app import app, flag

MODERN = "2026-07-28"
LEGACY = "2025-11-25"
BOTH = "application/json, text/event-stream"


@dataclass
class Live:
    url: str
    base: str
    loop: asyncio.AbstractEventLoop

    def flagged(self, name: str) -> bool:
        """Whether the fixture app raised flag ``name`` (read on the server's loop)."""

        async def read() -> bool:
            return flag(name).is_set()

        return bool(asyncio.run_coroutine_threadsafe(read(), self.loop).result(10))

    def wait_flag(self, name: str, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.flagged(name):
            assert time.monotonic() < deadline, f"flag {name!r} never raised"
            time.sleep(0.01)


def start_server(
    asgi: Any,
) -> tuple[uvicorn.Server, threading.Thread, socket.socket, list[Any]]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = McpServer(
        server_config(
            asgi,
            *sock.getsockname()[:2],
            log_level="warning",
            timeout_graceful_shutdown=1,
        )
    )
    loops: list[Any] = []

    def run() -> None:
        loop = asyncio.new_event_loop()
        loops.append(loop)
        loop.run_until_complete(server.serve(sockets=[sock]))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    return server, thread, sock, loops


@pytest.fixture(scope="session")
def live() -> Iterator[Live]:
    config = HttpConfig(max_body_bytes=64 * 1024, retry_ms=50, keepalive_s=0.5)
    server, thread, sock, loops = start_server(
        create_app(app.runtime(), config, tool_schema=app.tool_input_schema)
    )
    host, port = sock.getsockname()[:2]
    yield Live(f"http://{host}:{port}/mcp", f"http://{host}:{port}", loops[0])
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


def meta(version: str = MODERN, **extra: Any) -> dict[str, Any]:
    return {
        "io.modelcontextprotocol/protocolVersion": version,
        "io.modelcontextprotocol/clientCapabilities": extra.pop("capabilities", {}),
        **extra,
    }


def modern_request(
    method: str, params: dict[str, Any] | None = None, request_id: int = 1
) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": request_id,
        "method": method,
        "params": {**(params or {}), "_meta": meta()},
    }


def modern_headers(
    method: str, name: str | None = None, **extra: str
) -> dict[str, str]:
    headers = {
        "accept": BOTH,
        "content-type": "application/json",
        "mcp-protocol-version": MODERN,
        "mcp-method": method,
    }
    if name is not None:
        headers["mcp-name"] = name
    headers.update(extra)
    return headers


def post(
    http: httpx.Client, url: str, body: Any, headers: dict[str, str]
) -> httpx.Response:
    content = body if isinstance(body, bytes) else orjson.dumps(body)
    return http.post(url, content=content, headers=headers)


def sse_events(body: bytes) -> list[Event]:
    return list(EventParser().feed(body))


def messages(response: httpx.Response) -> list[dict[str, Any]]:
    """Every JSON-RPC message in a JSON or SSE response body."""
    if response.headers["content-type"].startswith("text/event-stream"):
        return [orjson.loads(e.data) for e in sse_events(response.content) if e.data]
    return [response.json()]


def initialize(
    version: str = LEGACY,
    capabilities: dict[str, Any] | None = None,
    request_id: int = 0,
) -> dict[str, Any]:
    params = {
        "protocolVersion": version,
        "capabilities": capabilities or {},
        "clientInfo": {"name": "t", "version": "1"},
    }
    return {
        "jsonrpc": "2.0",
        "id": request_id,
        "method": "initialize",
        "params": params,
    }


def open_session(
    http: httpx.Client,
    url: str,
    version: str = LEGACY,
    capabilities: dict[str, Any] | None = None,
) -> str:
    init = initialize(version, capabilities)
    response = post(
        http, url, init, {"accept": BOTH, "content-type": "application/json"}
    )
    assert response.status_code == 200, response.text
    session = response.headers["mcp-session-id"]
    done = post(
        http,
        url,
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        legacy_headers(session, version),
    )
    assert done.status_code == 202
    return session


def legacy_headers(session: str, version: str = LEGACY, **extra: str) -> dict[str, str]:
    return {
        "accept": BOTH,
        "content-type": "application/json",
        "mcp-session-id": session,
        "mcp-protocol-version": version,
        **extra,
    }


def call(
    name: str, arguments: dict[str, Any] | None = None, request_id: int = 1
) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": request_id,
        "method": "tools/call",
        "params": {"name": name, "arguments": arguments or {}},
    }
