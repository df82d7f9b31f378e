"""Inputs the fuzzers once avoided, each on a real server process over stdio and HTTP, in
both eras: ids beyond 64 bits are answered under the same id, and messages nested past
the depth limit get a clean -32600 under their id (no traceback in the log)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from robust_support import MODERN_META, HttpServer, StdioServer, http_request, responses

pytestmark = pytest.mark.timeout(120)
HUGE_ID = 2**70
INIT = {
    "protocolVersion": "2025-11-25",
    "capabilities": {},
    "clientInfo": {"name": "t", "version": "1"},
}
JSON_POST = [
    ("Content-Type", "application/json"),
    ("Accept", "application/json, text/event-stream"),
]


def request(request_id: Any, method: str, params: dict[str, Any], modern: bool) -> bytes:
    """The request as JSON text; a ``text`` argument that is an int becomes arrays nested
    that deep (written by hand: ``json.dumps`` stops near 1000 levels)."""
    depth = params.get("arguments", {}).get("text")
    if modern:
        params = {**params, "_meta": MODERN_META}
    message = {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}
    text = json.dumps(message)
    if isinstance(depth, int):
        text = text.replace(f'"text": {depth}', '"text": ' + "[" * depth + '"leaf"' + "]" * depth)
    return text.encode()


CASES = [
    ("server/discover", {}, HUGE_ID, "result"),
    ("tools/call", {"name": "echo", "arguments": {"text": "x"}}, -HUGE_ID, "result"),
    ("tools/call", {"name": "echo", "arguments": {"text": 300}}, HUGE_ID, -32600),
    ("tools/call", {"name": "echo", "arguments": {"text": 1000}}, "deep", -32600),
]


def check(answer: dict[str, Any], request_id: Any, expected: Any) -> None:
    assert answer["id"] == request_id and type(answer["id"]) is type(request_id), answer
    if expected == "result":
        assert "result" in answer, answer
    else:
        assert answer["error"]["code"] == expected, answer
        assert "nested deeper than 128 levels" in answer["error"]["message"]


@pytest.fixture(params=["legacy", "modern"])
def stdio(request: pytest.FixtureRequest) -> Iterator[tuple[bool, StdioServer]]:
    process = StdioServer()
    modern = request.param == "modern"
    if not modern:
        process.write(
            json.dumps({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": INIT}).encode()
        )
        assert "result" in json.loads(process.receive())
        process.write(b'{"jsonrpc":"2.0","method":"notifications/initialized"}')
    yield modern, process
    log = process.stop()
    assert "Traceback" not in log, log


@pytest.mark.parametrize(("method", "params", "request_id", "expected"), CASES)
def test_stdio(
    stdio: tuple[bool, StdioServer], method: str, params: Any, request_id: Any, expected: Any
) -> None:
    modern, process = stdio
    if method == "server/discover" and not modern:
        method, params = "ping", {}
    process.write(request(request_id, method, params, modern))
    check(json.loads(process.receive()), request_id, expected)


@pytest.fixture(scope="module")
def http() -> Iterator[HttpServer]:
    server = HttpServer()
    yield server
    server.stop()


@pytest.mark.parametrize(("method", "params", "request_id", "expected"), CASES)
def test_http_modern(
    http: HttpServer, method: str, params: Any, request_id: Any, expected: Any
) -> None:
    headers = [*JSON_POST, ("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", method)]
    if method == "tools/call":
        headers.append(("Mcp-Name", "echo"))
    body = request(request_id, method, params, modern=True)
    ((status, _, out),) = responses(http.raw(http_request("POST", "/mcp", headers, body)))
    check(json.loads(out.decode().partition("data: ")[2] or out), request_id, expected)
    assert status == (200 if expected == "result" else 400)


@pytest.mark.parametrize(("method", "params", "request_id", "expected"), CASES)
def test_http_legacy(
    http: HttpServer, method: str, params: Any, request_id: Any, expected: Any
) -> None:
    init = json.dumps({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": INIT}).encode()
    ((_, head, _),) = responses(http.raw(http_request("POST", "/mcp", JSON_POST, init)))
    headers = [
        *JSON_POST,
        ("Mcp-Session-Id", head["mcp-session-id"]),
        ("MCP-Protocol-Version", "2025-11-25"),
    ]
    if method == "server/discover":
        method, params = "ping", {}
    body = request(request_id, method, params, modern=False)
    ((_, _, out),) = responses(http.raw(http_request("POST", "/mcp", headers, body)))
    text = out.decode()
    data = [ln[5:] for ln in text.splitlines() if ln.startswith("data:") and ln[5:].strip()]
    check(json.loads(data[-1] if data else text), request_id, expected)
