"""The deprecated 2024-11-05 HTTP+SSE transport, driven by hand."""

from __future__ import annotations

import httpx
import orjson
from http_support import Live, SseReader, call, initialize, legacy_headers, open_session


def test_endpoint_event_then_messages_on_the_stream(live: Live) -> None:
    with (
        httpx.Client(timeout=10) as http,
        http.stream("GET", live.base + "/sse", headers={"accept": "text/event-stream"}) as stream,
    ):
        reader = SseReader(stream)
        endpoint = reader.next_event()
        assert endpoint.event == "endpoint" and endpoint.data.startswith("/messages?session_id=")
        target = live.base + endpoint.data
        init = initialize("2024-11-05", request_id=1)
        accepted = http.post(
            target,
            content=orjson.dumps(init),
            headers={"content-type": "application/json"},
        )
        assert accepted.status_code == 202
        assert reader.next_message()["result"]["protocolVersion"] == "2024-11-05"
        http.post(
            target,
            content=b'{"jsonrpc":"2.0","method":"notifications/initialized"}',
            headers={"content-type": "application/json"},
        )
        http.post(
            target,
            content=orjson.dumps(call("echo", {"text": "old"}, 2)),
            headers={"content-type": "application/json"},
        )
        answer = reader.next_message()
        assert answer["id"] == 2 and answer["result"]["content"][0]["text"] == "old"
        assert "structuredContent" not in answer["result"]
        bad = http.post(target, content=b"{nope", headers={"content-type": "application/json"})
        assert (bad.status_code, bad.json()["error"]["code"]) == (400, -32700)


def test_messages_endpoint_refuses_bad_sessions_and_hosts(live: Live, http: httpx.Client) -> None:
    body = orjson.dumps(call("echo", {"text": "x"}))
    json_type = {"content-type": "application/json"}
    assert http.post(live.base + "/messages", content=body, headers=json_type).status_code == 400
    assert (
        http.post(
            live.base + "/messages?session_id=nope", content=body, headers=json_type
        ).status_code
        == 404
    )
    assert http.get(live.base + "/sse", headers={"host": "evil.example.com"}).status_code == 421
    assert (
        http.get(live.base + "/sse", headers={"origin": "http://evil.example.com"}).status_code
        == 403
    )


def test_closing_the_sse_stream_ends_the_session(live: Live) -> None:
    with httpx.Client(timeout=10) as http:
        with http.stream("GET", live.base + "/sse") as stream:
            target = live.base + SseReader(stream).next_event().data
        status = 202
        for _ in range(100):
            status = http.post(
                target,
                content=orjson.dumps(call("echo", {"text": "x"})),
                headers={"content-type": "application/json"},
            ).status_code
            if status == 404:
                break
        assert status == 404


def test_each_transport_knows_only_its_own_sessions(live: Live, http: httpx.Client) -> None:
    """An HTTP+SSE session id is unknown on /mcp, a Streamable HTTP one on /messages."""
    mcp_session = open_session(http, live.url)
    body = orjson.dumps(call("echo", {"text": "x"}))
    json_type = {"content-type": "application/json"}
    foreign = http.post(
        live.base + f"/messages?session_id={mcp_session}", content=body, headers=json_type
    )
    assert foreign.status_code == 404
    with http.stream("GET", live.base + "/sse") as stream:
        sse_session = SseReader(stream).next_event().data.rpartition("=")[2]
        headers = legacy_headers(sse_session, "2024-11-05")
        assert http.post(live.url, content=body, headers=headers).status_code == 404
        get = http.get(live.url, headers={**headers, "accept": "text/event-stream"})
        assert get.status_code == 404
        assert http.delete(live.url, headers=headers).status_code == 404
