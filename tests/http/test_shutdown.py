"""Shutdown over HTTP, on a real process and real SIGTERM (the sequence is documented in
``mcp_foundry.runtime.http.serve``): new work is refused with 503, accepted requests of
both eras finish or are answered with an error, and the server exits."""

from __future__ import annotations

import pytest
from drain_support import (
    BOTH,
    Connection,
    call_both,
    draining,
    legacy_call,
    modern_call,
    open_session,
    session_headers,
)
from http_support import initialize

pytestmark = pytest.mark.timeout(120)


def _started(conn: Connection) -> Connection:
    conn.wait_for(b"notifications/progress")
    return conn


def _result(conn: Connection, request_id: int) -> dict[str, object]:
    (final,) = [m for m in conn.response().messages() if m.get("id") == request_id]
    return final


def test_accepted_calls_of_both_eras_finish_during_the_drain() -> None:
    with draining(60) as server:
        session = open_session(server.connect())
        calls = [
            (request_id, conn)
            for request_id in range(1, 11)
            for conn in call_both(server, session, request_id, 2)
        ]
        for _, conn in calls:
            _started(conn)
        server.stop()
        for request_id, conn in calls:
            answer = _result(conn, request_id)
            assert answer["result"]["content"][0]["text"] == "slept 2.0"  # type: ignore[index]


def test_calls_still_running_after_the_drain_time_get_an_error() -> None:
    with draining(1) as server:
        session = open_session(server.connect())
        calls = [
            (request_id, _started(conn))
            for request_id in range(1, 26)
            for conn in call_both(server, session, request_id, 60)
        ]
        server.stop()
        for request_id, conn in calls:
            error = _result(conn, request_id)["error"]
            assert error == {  # type: ignore[comparison-overlap]
                "code": -32603,
                "message": "Server shutting down; the request was cancelled",
            }


def test_draining_refuses_new_work_with_503() -> None:
    with draining(60) as server:
        kept = server.connect()
        session = open_session(kept)
        other = server.connect()
        other.post(*modern_call(50, 0))  # a kept-alive connection, idle when the drain starts
        assert _result(other, 50)["result"]
        busy = server.connect()
        busy.post(legacy_call(1, 2), session_headers(session))
        _started(busy)
        server.stop()
        kept.post(legacy_call(2, 0), session_headers(session))  # an existing session
        refused = kept.response()
        assert refused.status == 503 and refused.headers["retry-after"] == "5"
        assert refused.headers["connection"] == "close"
        assert refused.messages()[0]["error"]["code"] == -32603
        other.post(*modern_call(51, 0)[:1], {"accept": BOTH})
        assert other.response().status == 503
        assert _result(busy, 1)["result"]  # the accepted call still finishes


def test_a_new_initialize_while_draining_gets_no_session() -> None:
    with draining(60) as server:
        idle = server.connect()
        open_session(idle)
        busy = server.connect()
        busy.post(*modern_call(1, 2))
        _started(busy)
        server.stop()
        idle.post(initialize(), {"accept": BOTH})
        refused = idle.response()
        assert refused.status == 503 and "mcp-session-id" not in refused.headers
        assert _result(busy, 1)["result"]


def test_the_deprecated_sse_transport_drains_too() -> None:
    with draining(1) as server:
        stream = server.connect()
        stream.send("GET", "/sse", {"accept": "text/event-stream"})
        seen = stream.wait_for(b"session_id=")
        endpoint = seen.split(b"data: ", 1)[1].split(b"\n", 1)[0].decode()
        messages = server.connect()
        initialized = {"jsonrpc": "2.0", "method": "notifications/initialized"}
        for message in (initialize("2024-11-05"), initialized):
            messages.post(message, {"content-type": "application/json"}, endpoint)
            assert messages.response().status == 202
        messages.post(legacy_call(7, 60), {"content-type": "application/json"}, endpoint)
        assert messages.response().status == 202
        stream.wait_for(b"notifications/progress")
        server.stop()
        messages.post(legacy_call(8, 0), {"content-type": "application/json"}, endpoint)
        assert messages.response().status == 503
        stream.wait_for(b'"id":7,"error"')
        assert b"Server shutting down; the request was cancelled" in stream.buffer
