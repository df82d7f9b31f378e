"""Per-request timeouts over Streamable HTTP: the handler is cancelled, the client gets
an error answer, and the session and connection stay usable (on both eras)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from http_fixture_app import app, flag
from http_support import (
    call,
    legacy_headers,
    modern_headers,
    modern_request,
    open_session,
    post,
    start_server,
)
from mcp_foundry.runtime.errors import INTERNAL_ERROR
from mcp_foundry.runtime.http import create_app
from mcp_foundry.runtime.server import Server

pytestmark = pytest.mark.timeout(30)
LIMIT = 0.4


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    server = Server(
        app,
        name="timeouts",
        version="1.0.0",
        capabilities=app.capabilities(),
        request_timeout=LIMIT,
    )
    uvicorn, thread, sock, _ = start_server(create_app(server, tool_schema=app.tool_input_schema))
    host, port = sock.getsockname()[:2]
    yield f"http://{host}:{port}/mcp"
    uvicorn.should_exit = True
    thread.join(10)


def wait_for(name: str) -> None:
    deadline = time.monotonic() + 5
    while not flag(name).is_set():
        assert time.monotonic() < deadline, f"{name} never happened"
        time.sleep(0.01)


def test_legacy_request_past_the_timeout_is_cancelled_and_answered(url: str) -> None:
    with httpx.Client(timeout=10) as http:
        session = open_session(http, url)
        started = time.monotonic()
        slow = call("slow", {"label": "legacy-timeout", "seconds": 20}, 7)
        answer = post(http, url, slow, legacy_headers(session)).json()
        assert time.monotonic() - started < 5
        assert answer["id"] == 7 and answer["error"]["code"] == INTERNAL_ERROR
        assert "timed out" in answer["error"]["message"]
        wait_for("legacy-timeout:cancelled")
        again = call("echo", {"text": "after"}, 8)
        result = post(http, url, again, legacy_headers(session)).json()["result"]
        assert result["content"][0]["text"] == "after"


def test_modern_request_past_the_timeout_is_cancelled_and_answered(url: str) -> None:
    with httpx.Client(timeout=10) as http:
        slow = modern_request(
            "tools/call", {"name": "slow", "arguments": {"label": "modern-timeout"}}, 9
        )
        started = time.monotonic()
        response = post(http, url, slow, modern_headers("tools/call", "slow"))
        assert time.monotonic() - started < 5
        assert response.status_code == 500
        error = response.json()["error"]
        assert error["code"] == INTERNAL_ERROR and "timed out" in error["message"]
        wait_for("modern-timeout:cancelled")
        echo = modern_request("tools/call", {"name": "echo", "arguments": {"text": "after"}}, 10)
        answer = post(http, url, echo, modern_headers("tools/call", "echo")).json()
        assert answer["result"]["content"][0]["text"] == "after"
