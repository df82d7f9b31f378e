"""Server options: always-SSE answers and a custom host allowlist."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest
from http_fixture_app import app
from http_support import (
    call,
    legacy_headers,
    messages,
    modern_headers,
    modern_request,
    open_session,
    post,
    start_server,
)
from mcp_foundry.runtime.http import HostPolicy, HttpConfig, create_app
from mcp_foundry.runtime.http.serve import McpServer, server_config


@pytest.fixture(scope="module")
def sse_server() -> Iterator[str]:
    hosts = HostPolicy(allowed_hosts=frozenset({"127.0.0.1", "mcp.internal"}))
    config = HttpConfig(always_sse=True, hosts=hosts, retry_ms=250)
    server, thread, sock, _ = start_server(create_app(app.runtime(), config))
    host, port = sock.getsockname()[:2]
    yield f"http://{host}:{port}/mcp"
    server.should_exit = True
    thread.join(10)


def test_always_sse_streams_even_plain_answers(sse_server: str, http: httpx.Client) -> None:
    session = open_session(http, sse_server)
    reply = post(http, sse_server, call("echo", {"text": "s"}), legacy_headers(session))
    assert reply.headers["content-type"].startswith("text/event-stream")
    assert b"retry: 250" in reply.content
    assert messages(reply)[-1]["result"]["content"][0]["text"] == "s"
    message = modern_request("tools/call", {"name": "echo", "arguments": {"text": "m"}})
    modern = post(http, sse_server, message, modern_headers("tools/call", "echo"))
    assert modern.headers["content-type"].startswith("text/event-stream")
    assert messages(modern)[-1]["result"]["content"][0]["text"] == "m"


def test_errors_keep_their_status_under_always_sse(sse_server: str, http: httpx.Client) -> None:
    reply = post(http, sse_server, modern_request("no/such"), modern_headers("no/such"))
    assert (reply.status_code, reply.headers["content-type"]) == (
        404,
        "application/json",
    )


def test_custom_host_allowlist(sse_server: str, http: httpx.Client) -> None:
    listed = post(
        http,
        sse_server,
        modern_request("tools/list"),
        modern_headers("tools/list", host="mcp.internal:80"),
    )
    assert listed.status_code == 200
    local = post(
        http,
        sse_server,
        modern_request("tools/list"),
        modern_headers("tools/list", host="localhost"),
    )
    assert local.status_code == 421


def test_shutdown_ends_long_lived_streams_promptly() -> None:
    """Open GET and listen streams end at shutdown instead of holding it for the graceful
    timeout."""
    config = HttpConfig(keepalive_s=30)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    host, port = sock.getsockname()[:2]
    server = McpServer(
        server_config(
            create_app(app.runtime(), config),
            host,
            port,
            log_level="warning",
            timeout_graceful_shutdown=20,
        )
    )
    thread = threading.Thread(
        target=lambda: asyncio.run(server.serve(sockets=[sock])),
        daemon=True,
    )
    thread.start()
    while not server.started:
        time.sleep(0.01)
    url = f"http://{host}:{port}/mcp"
    ended: list[str] = []

    def hold(name: str, method: str, **kwargs: object) -> None:
        with httpx.Client(timeout=30) as client, client.stream(method, url, **kwargs) as stream:  # type: ignore[arg-type]
            for _ in stream.iter_raw():
                pass
        ended.append(name)

    with httpx.Client(timeout=10) as http:
        session = open_session(http, url)
    listen = modern_request("subscriptions/listen", {"notifications": {"toolsListChanged": True}})
    holders = [
        threading.Thread(
            target=hold,
            args=("get", "GET"),
            kwargs={"headers": {**legacy_headers(session), "accept": "text/event-stream"}},
        ),
        threading.Thread(
            target=hold,
            args=("listen", "POST"),
            kwargs={
                "content": orjson.dumps(listen),
                "headers": modern_headers("subscriptions/listen"),
            },
        ),
    ]
    for holder in holders:
        holder.start()
    time.sleep(0.5)
    started = time.monotonic()
    server.should_exit = True
    thread.join(15)
    assert not thread.is_alive()
    assert time.monotonic() - started < 5, "streams held the shutdown up"
    for holder in holders:
        holder.join(5)
    assert sorted(ended) == ["get", "listen"]


def test_serve_binds_loopback_and_logs_only_to_stderr() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    echo = Path(__file__).resolve().parents[2] / "bench" / "echo_server.py"
    proc = subprocess.Popen(
        [sys.executable, str(echo), "http", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.05)
        with httpx.Client(timeout=10) as http:
            reply = post(
                http,
                f"http://127.0.0.1:{port}/mcp",
                modern_request("tools/list"),
                modern_headers("tools/list"),
            )
            assert reply.status_code == 200
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=15)
    assert out == b""
    assert b"Uvicorn running on http://127.0.0.1:" in err
