"""Drain, cancellation, timeouts, EOF and signal shutdown, over real subprocesses."""

from __future__ import annotations

import signal
import time

import orjson
import pytest
from rt_support import Pipe, modern_meta

pytestmark = pytest.mark.timeout(90)


def echo(request_id: int, modern: bool) -> dict:
    params: dict = {"name": "echo", "arguments": {"text": f"t{request_id}"}}
    if modern:
        params["_meta"] = modern_meta()
    return {"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": params}


@pytest.mark.parametrize("modern", [False, True], ids=["legacy", "modern"])
def test_200_pipelined_then_eof_get_200_answers(modern: bool) -> None:
    server = Pipe()
    if not modern:
        server.initialize()
    payload = b"".join(orjson.dumps(echo(i, modern)) + b"\n" for i in range(200))
    server.write(payload)
    server.close_input()  # EOF right after the burst
    answers = [m for m in server.rest() if "id" in m]
    assert server.finish() == 0
    assert sorted(m["id"] for m in answers) == list(range(200))
    assert all(m["result"]["content"][0]["text"] == f"t{m['id']}" for m in answers)


def test_slow_requests_in_flight_at_eof_are_still_answered() -> None:
    server = Pipe()
    server.initialize()
    for i in range(5):
        server.request(i, "tools/call", {"name": "slow", "arguments": {"seconds": 0.5}})
    server.close_input()
    answers = [m for m in server.rest() if "id" in m]
    assert sorted(m["id"] for m in answers) == list(range(5))
    assert server.finish() == 0


def test_cancelled_request_gets_no_answer_and_handler_stops(pipe: Pipe) -> None:
    pipe.initialize()
    pipe.request(
        "long",
        "tools/call",
        {"name": "slow", "arguments": {"seconds": 30}, "_meta": {"progressToken": "long"}},
    )
    pipe.started("long")
    pipe.send(
        {
            "jsonrpc": "2.0",
            "method": "notifications/cancelled",
            "params": {"requestId": "long", "reason": "user"},
        }
    )
    count = pipe.call("count", "tools/call", {"name": "cancelled_count"})
    assert count["result"]["content"][0]["text"] == "1"
    assert not any(m.get("id") == "long" for m in pipe.seen)
    # cancelling unknown or finished requests is ignored
    pipe.send(
        {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": "nope"}}
    )
    pipe.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": "garbage"})
    assert pipe.call("ping", "ping")["result"] == {}
    pipe.close_input()
    assert not any(m.get("id") == "long" for m in pipe.rest())


def test_modern_request_cancelled_on_stdio(pipe: Pipe) -> None:
    pipe.request(
        1,
        "tools/call",
        {"name": "slow", "arguments": {"seconds": 30}, "_meta": modern_meta(progressToken=1)},
    )
    pipe.started(1)
    pipe.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 1}})
    count = pipe.call(2, "tools/call", {"name": "cancelled_count", "_meta": modern_meta()})
    assert count["result"]["content"][0]["text"] == "1"


def test_handler_timeout_cancels_and_tells_the_client() -> None:
    server = Pipe("--timeout", "0.5")
    server.initialize()
    started = time.monotonic()
    answer = server.call(1, "tools/call", {"name": "slow", "arguments": {"seconds": 30}})
    assert time.monotonic() - started < 5
    assert answer["error"]["code"] == -32603 and "timed out" in answer["error"]["message"]
    count = server.call(2, "tools/call", {"name": "cancelled_count"})
    assert count["result"]["content"][0]["text"] == "1"
    assert server.call(3, "tools/call", {"name": "echo", "arguments": {"text": "ok"}})["result"]
    listen = {"_meta": modern_meta(), "notifications": {"toolsListChanged": True}}
    server.request("sub", "subscriptions/listen", listen)
    server.call(
        4, "tools/call", {"name": "slow", "arguments": {"seconds": 1}}
    )  # outlives the timeout
    assert not [m for m in server.seen if m.get("id") == "sub"]  # the stream is not timed out
    server.finish()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_reading_and_answers_what_was_accepted(signum: int) -> None:
    server = Pipe()
    server.initialize()
    server.request(
        1,
        "tools/call",
        {"name": "slow", "arguments": {"seconds": 0.5}, "_meta": {"progressToken": 1}},
    )
    server.started(1)
    server.process.send_signal(signum)
    answer = server.answer(1)
    assert answer["result"]["content"][0]["text"] == "slow done"
    assert server.process.wait(timeout=10) == 0


def test_grace_expiry_answers_stragglers_with_an_error() -> None:
    server = Pipe("--grace", "0.5")
    server.initialize()
    server.request(
        1,
        "tools/call",
        {"name": "slow", "arguments": {"seconds": 60}, "_meta": {"progressToken": 1}},
    )
    server.started(1)
    server.close_input()
    answer = server.answer(1)
    assert answer["error"]["code"] == -32603 and "shutting down" in answer["error"]["message"]
    assert server.finish() == 0


def test_progress_and_logging_follow_the_request(pipe: Pipe) -> None:
    pipe.initialize()
    pipe.call("lvl", "logging/setLevel", {"level": "info"})
    answer = pipe.call(1, "tools/call", {"name": "progress", "_meta": {"progressToken": "tok"}})
    progress = [m["params"] for m in pipe.seen if m.get("method") == "notifications/progress"]
    assert [p["progress"] for p in progress] == [0, 50, 100] and all(
        p["progressToken"] == "tok" for p in progress
    )
    assert answer["result"]["content"][0]["text"] == "progressed"
    pipe.call(2, "tools/call", {"name": "log"})
    levels = [m["params"]["level"] for m in pipe.seen if m.get("method") == "notifications/message"]
    assert levels == ["info", "error"]  # debug filtered by setLevel info


def test_modern_logging_only_with_log_level(pipe: Pipe) -> None:
    pipe.call(1, "tools/call", {"name": "log", "_meta": modern_meta()})
    assert not [m for m in pipe.seen if m.get("method") == "notifications/message"]
    pipe.call(
        2,
        "tools/call",
        {"name": "log", "_meta": modern_meta(**{"io.modelcontextprotocol/logLevel": "error"})},
    )
    assert [
        m["params"]["level"] for m in pipe.seen if m.get("method") == "notifications/message"
    ] == ["error"]
    answer = pipe.call(3, "tools/call", {"name": "progress", "_meta": modern_meta(progressToken=9)})
    assert [
        m["params"]["progress"] for m in pipe.seen if m.get("method") == "notifications/progress"
    ] == [0, 50, 100]
    assert answer["result"]["resultType"] == "complete"


def test_request_waiting_on_the_client_is_answered_when_input_closes() -> None:
    server = Pipe()
    server.initialize("2025-11-25", {"elicitation": {}})
    server.request("ask", "tools/call", {"name": "ask_name"})
    asked = server.receive()
    assert asked["method"] == "elicitation/create"
    server.close_input()  # the client can no longer answer the elicitation
    answer = server.answer("ask")
    assert answer["error"]["code"] == -32603
    assert server.finish() == 0


def test_an_id_in_flight_is_refused_alone_and_in_a_batch() -> None:
    server = Pipe()
    server.initialize("2025-03-26")  # the last revision with JSON-RPC batches
    slow = {"name": "slow", "arguments": {"seconds": 1}, "_meta": {"progressToken": 7}}
    server.request(7, "tools/call", slow)
    server.started(7)
    server.request(7, "tools/call", {"name": "echo", "arguments": {"text": "again"}})
    refused = server.answer(7)
    assert refused["error"]["code"] == -32600 and "in use" in refused["error"]["message"]
    server.send(
        [
            echo(8, modern=False),
            {"jsonrpc": "2.0", "id": 7, "method": "ping"},
        ]
    )
    while not isinstance(batch := server.receive(), list):
        pass
    answers = {m["id"]: m for m in batch}
    assert answers[8]["result"]["content"][0]["text"] == "t8"
    assert answers[7]["error"]["code"] == -32600
    assert server.answer(7)["result"]["content"][0]["text"] == "slow done"
    server.close_input()
    assert server.finish() == 0
