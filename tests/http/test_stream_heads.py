"""A standalone GET stream answers at once, however long until its first event."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest
from http_fixture_app import app
from http_support import open_session, start_server
from mcp_foundry.runtime.http import HttpConfig, create_app

KEEPALIVE_S = 120.0
"""Far beyond the wait below: a head that waited for the first keep-alive never comes."""


@pytest.fixture(scope="module")
def quiet() -> Iterator[str]:
    config = HttpConfig(keepalive_s=KEEPALIVE_S)
    server, thread, sock, _ = start_server(create_app(app.runtime(), config))
    host, port = sock.getsockname()[:2]
    yield f"http://{host}:{port}/mcp"
    server.should_exit = True
    thread.join(10)


def test_get_stream_sends_its_head_at_once(quiet: str) -> None:
    with httpx.Client(timeout=10) as http:
        session = open_session(http, quiet)
    host, port = quiet.split("//")[1].split("/")[0].split(":")
    request = (
        "GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
        f"Mcp-Session-Id: {session}\r\nMCP-Protocol-Version: 2025-11-25\r\n\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request.encode("ascii"))
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(4096)  # times out (10 s) if the head waits for a keep-alive
            assert chunk, "connection closed before the response head"
            head += chunk
    status, *fields = head.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
    assert status.startswith("HTTP/1.1 200")
    assert "content-type: text/event-stream" in [f.lower() for f in fields]
