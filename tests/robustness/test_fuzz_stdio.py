"""Hypothesis against a real server process on stdio, in both eras: every request gets
the right JSON-RPC answer under its own id, the server keeps answering (a ping after
each example), and no output ever carries a traceback, a path or exception text."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from robust_support import (
    JSON_RPC_CODES,
    MODERN_META,
    StdioServer,
    broken_envelopes,
    dumps,
    loads,
    not_json,
    requests,
    too_deep,
)

pytestmark = pytest.mark.timeout(600)
FUZZ = settings(max_examples=80, deadline=None)


@pytest.fixture(scope="module", params=["legacy", "modern"])
def server(request: pytest.FixtureRequest) -> Iterator[tuple[str, StdioServer]]:
    era: str = request.param
    process = StdioServer()
    if era == "legacy":
        init = {
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": "fuzz", "version": "1"},
        }
        process.write(
            dumps({"jsonrpc": "2.0", "id": "init", "method": "initialize", "params": init})
        )
        assert "result" in loads(process.receive())
        process.write(dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}))
    yield era, process
    process.stop()


@FUZZ
@given(data=not_json.filter(lambda b: b.strip() != b""))
def test_what_is_not_json_is_a_parse_error(server: tuple[str, StdioServer], data: bytes) -> None:
    _, process = server
    (answer,) = process.exchange(data)
    assert answer["id"] is None and answer["error"]["code"] == -32700


@FUZZ
@given(case=broken_envelopes())
def test_what_is_not_a_request_is_an_invalid_request(
    server: tuple[str, StdioServer], case: tuple[Any, Any]
) -> None:
    _, process = server
    message, expected_id = case
    (answer,) = process.exchange(dumps(message))
    assert answer["id"] == expected_id and answer["error"]["code"] == -32600


@settings(max_examples=150, deadline=None)
@given(data=requests(modern=False) | requests(modern=True))
def test_every_request_gets_one_answer_under_its_id(
    server: tuple[str, StdioServer], data: dict[str, Any]
) -> None:
    era, process = server
    if era == "modern" and data["params"].get("_meta") != MODERN_META:
        data["params"]["_meta"] = MODERN_META  # before initialize only the modern wire serves
    seen = process.exchange(dumps(data))
    answer = process.answer(data["id"], seen)
    assert ("result" in answer) != ("error" in answer), answer
    if "error" in answer:
        error = answer["error"]
        assert error["code"] in JSON_RPC_CODES and isinstance(error["message"], str)
        if too_deep(data):
            assert error["code"] == -32600
        elif data["method"] == "no/such/method":
            assert error["code"] == -32601
    elif data["method"] == "tools/call":
        text = answer["result"]["content"][0]["text"]
        if data["params"]["name"] in ("boom", "crash"):
            assert answer["result"]["isError"] is True
            assert text == f"Tool {data['params']['name']} failed"


@pytest.mark.parametrize("modern", [False, True])
def test_failures_reach_the_log_not_the_peer(modern: bool) -> None:
    process = StdioServer()
    calls = [
        ("tools/call", {"name": "boom", "arguments": {}}),
        ("tools/call", {"name": "crash", "arguments": {"depth": 3}}),
        ("resources/read", {"uri": "robust://secret"}),
        ("prompts/get", {"name": "failing", "arguments": {"topic": "x"}}),
    ]
    try:
        if not modern:
            client = {"name": "t", "version": "1"}
            init = {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": client}
            process.exchange(
                dumps({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": init})
            )
        for request_id, (method, params) in enumerate(calls, 1):
            if modern:
                params = {**params, "_meta": MODERN_META}
            message = {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}
            answer = process.answer(request_id, process.exchange(dumps(message)))
            if method == "tools/call":
                assert answer["result"]["isError"] is True
            else:
                assert answer["error"]["code"] == -32603
    finally:
        log = process.stop()
    assert log.count("SECRET-7f3a") >= len(calls), log
