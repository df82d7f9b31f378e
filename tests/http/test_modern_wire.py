"""The 2026-07-28 stateless wire: envelope order, routing headers, statuses, streaming."""

from __future__ import annotations

import socket

import httpx
import orjson
import pytest
from http_support import (
    MODERN,
    Live,
    SseReader,
    call,
    messages,
    meta,
    modern_headers,
    modern_request,
    post,
    raw_exchange,
    raw_request,
)


def _tool_call(
    name: str, arguments: dict[str, object] | None = None, **meta_extra: object
) -> dict[str, object]:
    message = call(name, arguments, 7)
    message["params"]["_meta"] = meta(**meta_extra)  # type: ignore[index]
    return message


def test_plain_request_gets_json(live: Live, http: httpx.Client) -> None:
    response = post(
        http,
        live.url,
        _tool_call("echo", {"text": "hi"}),
        modern_headers("tools/call", "echo"),
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert "mcp-session-id" not in response.headers
    body = response.json()
    assert body["id"] == 7 and body["result"]["content"][0]["text"] == "hi"
    assert body["result"]["resultType"] == "complete"


def test_session_and_last_event_id_headers_are_ignored(live: Live, http: httpx.Client) -> None:
    headers = modern_headers(
        "tools/call", "echo", **{"mcp-session-id": "whatever", "last-event-id": "s1/3"}
    )
    response = post(http, live.url, _tool_call("echo", {"text": "x"}), headers)
    assert response.status_code == 200 and "mcp-session-id" not in response.headers


def test_related_notifications_stream_as_sse(live: Live, http: httpx.Client) -> None:
    message = _tool_call(
        "chatty", progressToken="tok", **{"io.modelcontextprotocol/logLevel": "debug"}
    )
    response = post(http, live.url, message, modern_headers("tools/call", "chatty"))
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["x-accel-buffering"] == "no"
    got = messages(response)
    assert [m.get("method") for m in got[:-1]].count("notifications/progress") == 3
    assert all(
        m.get("params", {}).get("progressToken") == "tok"
        for m in got
        if m.get("method") == "notifications/progress"
    )
    assert any(m.get("method") == "notifications/message" for m in got)
    assert got[-1]["id"] == 7 and got[-1]["result"]["content"][0]["text"] == "chatty done"
    assert not any("method" in m and "id" in m for m in got), (
        "no server→client request on a 2026 stream"
    )


def test_envelope_checks_in_contract_order(live: Live, http: httpx.Client) -> None:
    no_meta = {"jsonrpc": "2.0", "id": 3, "method": "tools/list", "params": {}}
    reply = post(http, live.url, no_meta, modern_headers("tools/list"))
    assert (reply.status_code, reply.json()["error"]["code"], reply.json()["id"]) == (
        400,
        -32602,
        3,
    )

    mismatch = {
        "jsonrpc": "2.0",
        "id": 4,
        "method": "tools/list",
        "params": {"_meta": meta("v999.0.0")},
    }
    reply = post(http, live.url, mismatch, modern_headers("tools/list"))
    assert (reply.status_code, reply.json()["error"]["code"], reply.json()["id"]) == (
        400,
        -32020,
        4,
    )

    unsupported = modern_headers("tools/list", **{"mcp-protocol-version": "v999.0.0"})
    reply = post(http, live.url, mismatch, unsupported)
    error = reply.json()["error"]
    assert (reply.status_code, error["code"]) == (400, -32022)
    assert error["data"]["requested"] == "v999.0.0" and MODERN in error["data"]["supported"]

    for removed in ("initialize", "ping", "logging/setLevel", "no/such/method"):
        reply = post(
            http,
            live.url,
            modern_request(removed, request_id=9),
            modern_headers(removed),
        )
        assert (
            reply.status_code,
            reply.json()["error"]["code"],
            reply.json()["id"],
        ) == (404, -32601, 9), removed


def test_missing_protocol_version_header_is_a_header_mismatch(
    live: Live, http: httpx.Client
) -> None:
    headers = modern_headers("tools/list")
    del headers["mcp-protocol-version"]
    reply = post(http, live.url, modern_request("tools/list"), headers)
    assert (reply.status_code, reply.json()["error"]["code"]) == (400, -32020)


@pytest.mark.parametrize(
    ("method_header", "name_header", "ok"),
    [
        ("tools/call", "echo", True),
        ("TOOLS/CALL", "echo", False),
        ("tools/list", "echo", False),
        (None, "echo", False),
        ("tools/call", None, False),
        ("tools/call", "ECHO", False),
        ("tools/call", "=?base64?ZWNobw==?=", True),
        ("tools/call", "=?base64?ZWNobw?=", False),
    ],
)
def test_method_and_name_headers(
    live: Live,
    http: httpx.Client,
    method_header: str | None,
    name_header: str | None,
    ok: bool,
) -> None:
    headers = modern_headers("tools/call", name_header)
    if method_header is None:
        del headers["mcp-method"]
    else:
        headers["mcp-method"] = method_header
    reply = post(http, live.url, _tool_call("echo", {"text": "x"}), headers)
    if ok:
        assert reply.status_code == 200 and "result" in reply.json()
    else:
        assert (
            reply.status_code,
            reply.json()["error"]["code"],
            reply.json()["id"],
        ) == (400, -32020, 7)


def test_whitespace_around_header_values_is_ignored(live: Live) -> None:
    headers = modern_headers("tools/call", "echo")
    headers["mcp-method"] = "  tools/call\t "
    headers["mcp-name"] = " \t echo  "
    status, body = raw_exchange(live.url, headers, orjson.dumps(_tool_call("echo", {"text": "x"})))
    assert status == 200, body


def test_header_names_are_case_insensitive(live: Live, http: httpx.Client) -> None:
    headers = {
        "Accept": "application/json, text/event-stream",
        "Content-Type": "application/json",
        "MCP-PROTOCOL-VERSION": MODERN,
        "MCP-METHOD": "tools/call",
        "mcp-NAME": "echo",
    }
    assert post(http, live.url, _tool_call("echo", {"text": "x"}), headers).status_code == 200


@pytest.mark.parametrize(
    ("arguments", "param_header", "ok"),
    [
        ({"where": "us-west1"}, "us-west1", True),
        ({"where": "Hello, 世界"}, "=?base64?SGVsbG8sIOS4lueVjA==?=", True),
        ({"where": "SGVsbG8="}, "SGVsbG8=", True),
        ({}, None, True),
        ({"where": "us-west1"}, None, False),
        ({"where": "us-west1"}, "eu-west1", False),
        ({"where": "Hello"}, "=?base64?SGVsbG8?=", False),
        ({"where": "Hello"}, "=?base64?SGVs!!!bG8=?=", False),
        ({}, "us-west1", False),
    ],
)
def test_param_headers_from_x_mcp_header(
    live: Live,
    http: httpx.Client,
    arguments: dict[str, object],
    param_header: str | None,
    ok: bool,
) -> None:
    headers = modern_headers("tools/call", "region")
    if param_header is not None:
        headers["Mcp-Param-Region"] = param_header
    reply = post(http, live.url, _tool_call("region", arguments), headers)
    if ok:
        assert reply.status_code == 200, reply.text
        assert reply.json()["result"]["content"][0]["text"] == f"region={arguments.get('where')}"
    else:
        assert (reply.status_code, reply.json()["error"]["code"]) == (400, -32020)


def test_non_ascii_header_bytes_are_rejected(live: Live, http: httpx.Client) -> None:
    headers = modern_headers("tools/call", "éc")
    status, body = raw_exchange(live.url, headers, orjson.dumps(_tool_call("éc")))
    assert (status, orjson.loads(body)["error"]["code"]) == (400, -32020)


def test_notifications_get_202_and_responses_are_refused(live: Live, http: httpx.Client) -> None:
    note = {
        "jsonrpc": "2.0",
        "method": "notifications/cancelled",
        "params": {"requestId": 1, "_meta": meta()},
    }
    assert post(http, live.url, note, modern_headers("notifications/cancelled")).status_code == 202
    response = {"jsonrpc": "2.0", "id": 1, "result": {}}
    assert post(http, live.url, response, modern_headers("x")).status_code == 400


def test_closing_the_connection_cancels_the_request(live: Live) -> None:
    body = orjson.dumps(_tool_call("slow", {"label": "hangup", "seconds": 30}))
    host, port = live.url.split("//")[1].split("/")[0].split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(raw_request(live.url, modern_headers("tools/call", "slow"), body))
        live.wait_flag("hangup:started")
    live.wait_flag("hangup:cancelled")  # the handler stops once the client hangs up
    assert not live.flagged("hangup:finished")


def test_listen_stream_stays_open_and_delivers_list_changes(live: Live) -> None:
    listen = modern_request(
        "subscriptions/listen",
        {"notifications": {"toolsListChanged": True}},
        request_id=41,
    )
    with (
        httpx.Client(timeout=10) as http,
        http.stream(
            "POST",
            live.url,
            content=orjson.dumps(listen),
            headers=modern_headers("subscriptions/listen"),
        ) as stream,
    ):
        assert stream.headers["content-type"].startswith("text/event-stream")
        reader = SseReader(stream)
        ack = reader.next_message()
        assert ack["method"] == "notifications/subscriptions/acknowledged"
        with httpx.Client(timeout=10) as other:
            post(
                other,
                live.url,
                _tool_call("touch_tools"),
                modern_headers("tools/call", "touch_tools"),
            )
        changed = reader.next_message()
        assert changed["method"] == "notifications/tools/list_changed"
        assert reader.saw_keepalive_within(2.0)
