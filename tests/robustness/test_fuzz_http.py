"""Hypothesis against a real server process over HTTP, in both eras: malformed bodies,
broken envelopes, fuzzed requests and hostile HTTP (odd and huge headers, bad chunking,
bad session and event ids). Every request gets the right HTTP status and JSON-RPC error,
nothing is a 5xx unless a handler failed, the server keeps answering, and no response
carries a traceback, a path or exception text."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from robust_support import (
    JSON_RPC_CODES,
    MODERN,
    HttpServer,
    assert_no_leak,
    broken_envelopes,
    dumps,
    http_request,
    loads,
    not_json,
    requests,
    responses,
    too_deep,
)

pytestmark = pytest.mark.timeout(900)
FUZZ = settings(max_examples=60, deadline=None)
BOTH = "application/json, text/event-stream"
JSON_POST = [("Content-Type", "application/json"), ("Accept", BOTH)]
STATUS = {-32700: 400, -32600: 400, -32602: 400, -32601: 404, -32603: 500}
STATUS.update({-32020: 400, -32021: 400, -32022: 400})
"""The HTTP status a modern error travels with."""
ASCII = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=16)
token = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789-_"), min_size=1, max_size=20)


class Target:
    """The server, plus a legacy session opened on it."""

    def __init__(self) -> None:
        self.server = HttpServer()
        client = {"name": "fuzz", "version": "1"}
        params = {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": client}
        init = {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": params}
        ((status, headers, _),) = self.post(init, JSON_POST)
        assert status == 200
        self.session = headers["mcp-session-id"]
        done = {"jsonrpc": "2.0", "method": "notifications/initialized"}
        assert self.post(done, self.legacy_headers())[0][0] == 202

    def legacy_headers(self) -> list[tuple[str, str]]:
        return [
            *JSON_POST,
            ("Mcp-Session-Id", self.session),
            ("MCP-Protocol-Version", "2025-11-25"),
        ]

    def post(
        self, body: Any, headers: list[tuple[str, str]]
    ) -> list[tuple[int, dict[str, str], bytes]]:
        data = body if isinstance(body, bytes) else dumps(body)
        return self.send(http_request("POST", "/mcp", headers, data))

    def send(self, raw: bytes) -> list[tuple[int, dict[str, str], bytes]]:
        """Raw bytes in; the parsed responses, each checked for leaks and 5xx."""
        out = responses(self.server.raw(raw))
        for status, _, body in out:
            assert_no_leak(body)
            assert status < 500 or b'"code":-32603' in body, (status, body)
        return out

    def alive(self) -> None:
        probe = {"jsonrpc": "2.0", "id": "probe", "method": "server/discover"}
        probe["params"] = {"_meta": _meta()}
        ((status, _, body),) = self.post(probe, modern_headers("server/discover"))
        assert status == 200 and loads(body)["result"]["resultType"] == "complete"


def _meta() -> dict[str, Any]:
    return {
        "io.modelcontextprotocol/protocolVersion": MODERN,
        "io.modelcontextprotocol/clientCapabilities": {},
    }


def modern_headers(method: str, name: str | None = None) -> list[tuple[str, str]]:
    headers = [*JSON_POST, ("MCP-Protocol-Version", MODERN), ("Mcp-Method", method)]
    if name is not None:
        headers.append(("Mcp-Name", name))
    return headers


def messages(headers: dict[str, str], body: bytes) -> list[Any]:
    if headers.get("content-type", "").startswith("text/event-stream"):
        lines = body.decode().splitlines()
        return [loads(ln[5:]) for ln in lines if ln.startswith("data:") and ln[5:].strip()]
    return [loads(body)]


@pytest.fixture(scope="module")
def target() -> Iterator[Target]:
    found = Target()
    yield found
    found.server.stop()


@FUZZ
@given(data=not_json)
def test_bodies_that_are_not_json_are_400_parse_errors(target: Target, data: bytes) -> None:
    ((status, _, body),) = target.post(data, JSON_POST)
    answer = loads(body)
    assert status == 400 and answer["id"] is None and answer["error"]["code"] == -32700
    target.alive()


@FUZZ
@given(case=broken_envelopes())
def test_broken_envelopes_are_400_invalid_requests(target: Target, case: tuple[Any, Any]) -> None:
    message, expected_id = case
    for headers in (JSON_POST, target.legacy_headers()):
        ((status, _, body),) = target.post(message, headers)
        answer = loads(body)
        assert status == 400 and answer["error"]["code"] == -32600
        assert answer["id"] == expected_id
    target.alive()


def _routed(message: dict[str, Any]) -> Any:
    """What the ``Mcp-Name`` header carries for this request (``None``: no such header)."""
    key = {"tools/call": "name", "prompts/get": "name", "resources/read": "uri"}
    return message["params"].get(key.get(message["method"], ""))


def _plain(message: dict[str, Any]) -> bool:
    """Routing headers carry the method and name: keep them plain for this test."""
    routed = _routed(message)
    values = (message["method"], "" if routed is None else routed)
    return all(isinstance(v, str) and v.isascii() and v.isprintable() for v in values)


@settings(max_examples=100, deadline=None)
@given(message=requests(modern=True).filter(_plain))
def test_modern_requests_get_the_status_of_their_answer(
    target: Target, message: dict[str, Any]
) -> None:
    ((status, response_headers, body),) = target.post(
        message, modern_headers(message["method"], _routed(message))
    )
    (answer,) = [m for m in messages(response_headers, body) if "method" not in m]
    assert answer["id"] == message["id"]
    if "error" in answer:
        assert answer["error"]["code"] in JSON_RPC_CODES
        assert status == STATUS[answer["error"]["code"]]
    else:
        assert status == 200
    target.alive()


@settings(max_examples=100, deadline=None)
@given(message=requests(modern=False))
def test_legacy_requests_are_answered_in_their_session(
    target: Target, message: dict[str, Any]
) -> None:
    ((status, response_headers, body),) = target.post(message, target.legacy_headers())
    assert status == (400 if too_deep(message) else 200)
    (answer,) = [m for m in messages(response_headers, body) if "method" not in m]
    assert answer["id"] == message["id"]
    if "error" in answer:
        assert answer["error"]["code"] in JSON_RPC_CODES
    assert ("error" in answer and answer["error"]["code"] == -32600) or not too_deep(message)
    target.alive()


@FUZZ
@given(
    headers=st.lists(st.tuples(token, ASCII), max_size=120),
    big=st.sampled_from([0, 1000, 70_000]),
)
def test_odd_and_huge_headers(target: Target, headers: list[tuple[str, str]], big: int) -> None:
    if big:
        headers = [*headers, ("X-Big", "a" * big)]
    ping = {"jsonrpc": "2.0", "id": 1, "method": "server/discover", "params": {"_meta": _meta()}}
    out = target.send(
        http_request("POST", "/mcp", [*modern_headers("server/discover"), *headers], dumps(ping))
    )
    (status, _, _) = out[0]
    if big > 64 * 1024:
        assert status == 431
    else:
        assert status in (200, 400, 403, 406, 415, 421), status
    target.alive()


@FUZZ
@given(
    chunks=st.lists(st.binary(max_size=12), min_size=1, max_size=6),
    sizes=st.lists(ASCII, max_size=6),
)
def test_bad_chunking_is_refused(target: Target, chunks: list[bytes], sizes: list[str]) -> None:
    framed = b"".join(
        (sizes[i] if i < len(sizes) else f"{len(c):x}").encode() + b"\r\n" + c + b"\r\n"
        for i, c in enumerate(chunks)
    )
    head = "\r\n".join(
        ["POST /mcp HTTP/1.1", "Host: 127.0.0.1", "Transfer-Encoding: chunked", "Connection: close"]
        + [f"{k}: {v}" for k, v in modern_headers("server/discover")]
    )
    raw = target.server.raw(head.encode() + b"\r\n\r\n" + framed + b"0\r\n\r\n", half_close=True)
    if raw:  # a body cut short may just end with the connection
        status, _, body = responses(raw)[0]
        assert_no_leak(body)
        assert status in (400, 408), status
    target.alive()


event_ids = ASCII | st.builds(
    "{}/{}".format,
    st.sampled_from(["s1", "s2", "s99"]),
    st.text(st.sampled_from("0123456789²³¹¼µé"), min_size=1, max_size=8).filter(
        lambda seq: not seq.isascii()
    ),
)
"""Anything, and ids of our own form whose sequence has non-ASCII digits (``s1/²``)."""


@FUZZ
@given(session=ASCII, event=event_ids)
def test_bad_session_and_event_ids(target: Target, session: str, event: str) -> None:
    legacy = [("MCP-Protocol-Version", "2025-11-25"), ("Accept", "text/event-stream")]
    ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    if session != target.session:
        ((status, _, body),) = target.post(ping, [*JSON_POST, ("Mcp-Session-Id", session)])
        assert status == 404 and loads(body)["error"]["code"] == -32600
    headers = [*legacy, ("Mcp-Session-Id", target.session), ("Last-Event-ID", event)]
    ((status, _, body),) = target.send(http_request("GET", "/mcp", headers))
    assert status == 404 and loads(body)["error"]["code"] == -32600
    target.alive()
