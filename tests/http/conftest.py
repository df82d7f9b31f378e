"""Fixtures: one live server for the whole HTTP test session, and a sync client."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from http_fixture_app import app
from http_support import Live, start_server
from mcp_foundry.runtime.http import HttpConfig, create_app


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
