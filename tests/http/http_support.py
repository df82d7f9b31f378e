"""Helpers for the HTTP tests: a live uvicorn in a thread, raw requests, SSE reading.

A module of its own (not conftest) so test modules import it by a name no other test
folder uses."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
import uvicorn
from http_fixture_app import flag
from mcp_foundry.runtime.http.serve import McpServer, server_config
from mcp_foundry.runtime.http.sse import Event, EventParser

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
    asgi: Any, **options: Any
) -> tuple[uvicorn.Server, threading.Thread, socket.socket, list[Any]]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    settings = {"log_level": "warning", "timeout_graceful_shutdown": 1, **options}
    server = McpServer(server_config(asgi, *sock.getsockname()[:2], **settings))
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


def modern_headers(method: str, name: str | None = None, **extra: str) -> dict[str, str]:
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


def post(http: httpx.Client, url: str, body: Any, headers: dict[str, str]) -> httpx.Response:
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
    response = post(http, url, init, {"accept": BOTH, "content-type": "application/json"})
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


def call(name: str, arguments: dict[str, Any] | None = None, request_id: int = 1) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": request_id,
        "method": "tools/call",
        "params": {"name": name, "arguments": arguments or {}},
    }


class SseReader:
    def __init__(self, response: httpx.Response) -> None:
        self.parser = EventParser()
        self._chunks = response.iter_raw()
        self._pending: list[Event] = []
        self.keepalives = 0

    def next_event(self) -> Event:
        while not self._pending:
            chunk = next(self._chunks)
            if chunk.startswith(b":"):
                self.keepalives += 1
            self._pending.extend(self.parser.feed(chunk))
        return self._pending.pop(0)

    def next_message(self) -> dict[str, Any]:
        while True:
            event = self.next_event()
            if event.data:
                found: dict[str, Any] = orjson.loads(event.data)
                return found

    def saw_keepalive_within(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while self.keepalives == 0 and time.monotonic() < deadline:
            chunk = next(self._chunks)
            if chunk.startswith(b":"):
                self.keepalives += 1
            self._pending.extend(self.parser.feed(chunk))
        return self.keepalives > 0


def raw_request(url: str, headers: dict[str, str], body: bytes, method: str = "POST") -> bytes:
    """Bytes exactly as given (no client-side header hygiene) → the raw HTTP/1.1 request."""
    path = "/" + url.split("//")[1].split("/", 1)[1]
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: localhost",
        f"Content-Length: {len(body)}",
        "Connection: close",
    ]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def raw_exchange(url: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
    """Send one raw request and read the whole answer: (status, body)."""
    import socket

    host, port = url.split("//")[1].split("/")[0].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(raw_request(url, headers, body))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), rest
