"""The 2025-03-26…2025-11-25 wire: sessions, streams, resumption, server→client requests."""

from __future__ import annotations

import re
import threading

import httpx
import orjson
import pytest
from http_support import (
    BOTH,
    Live,
    SseReader,
    call,
    initialize,
    legacy_headers,
    messages,
    open_session,
    post,
    sse_events,
)
from mcp_foundry.sources import registry


def test_session_ids_are_random_visible_ascii(live: Live, http: httpx.Client) -> None:
    ids = {open_session(http, live.url) for _ in range(5)}
    assert len(ids) == 5
    for session in ids:
        assert re.fullmatch(r"[\x21-\x7e]{32,}", session)


def test_initialize_then_calls_on_the_session(live: Live, http: httpx.Client) -> None:
    session = open_session(http, live.url)
    reply = post(http, live.url, call("echo", {"text": "legacy"}), legacy_headers(session))
    assert reply.status_code == 200
    body = reply.json()
    assert body["result"]["content"][0]["text"] == "legacy"
    assert "resultType" not in body["result"], "2026 fields must not leak into a 2025 session"


@pytest.mark.parametrize("version", registry.of_era("legacy"))
def test_older_revisions_negotiate_on_streamable_http(
    live: Live, http: httpx.Client, version: str
) -> None:
    session = open_session(http, live.url, version)
    headers = legacy_headers(session, version)
    if version == "2025-03-26":
        del headers["mcp-protocol-version"]  # that revision had no such header
    reply = post(http, live.url, call("echo", {"text": version}), headers)
    assert reply.json()["result"]["content"][0]["text"] == version


def test_unsupported_protocol_version_header_is_400(live: Live, http: httpx.Client) -> None:
    session = open_session(http, live.url)
    reply = post(
        http,
        live.url,
        call("echo", {"text": "x"}),
        legacy_headers(session, "1999-01-01"),
    )
    assert reply.status_code == 400
    assert reply.json()["id"] == 1


def test_batches_only_where_the_revision_allows(live: Live, http: httpx.Client) -> None:
    old = open_session(http, live.url, "2025-03-26")
    batch = [
        call("echo", {"text": "a"}, 1),
        call("echo", {"text": "b"}, 2),
        {"jsonrpc": "2.0", "method": "notifications/x"},
    ]
    reply = post(http, live.url, batch, legacy_headers(old, "2025-03-26"))
    answers = messages(reply)[0]
    assert sorted(a["result"]["content"][0]["text"] for a in answers) == ["a", "b"]
    new = open_session(http, live.url)
    refused = post(http, live.url, batch, legacy_headers(new))
    assert (refused.status_code, refused.json()["error"]["code"]) == (400, -32600)


def test_delete_ends_the_session_and_later_use_is_404(live: Live, http: httpx.Client) -> None:
    session = open_session(http, live.url)
    assert http.delete(live.url, headers={"mcp-session-id": session}).status_code == 200
    assert (
        post(http, live.url, call("echo", {"text": "x"}), legacy_headers(session)).status_code
        == 404
    )
    assert (
        http.get(
            live.url, headers={"accept": "text/event-stream", "mcp-session-id": session}
        ).status_code
        == 404
    )
    assert http.delete(live.url, headers={"mcp-session-id": session}).status_code == 404


def test_reused_request_id_in_flight_is_refused(live: Live) -> None:
    with httpx.Client(timeout=10) as http:
        session = open_session(http, live.url)
        first = threading.Thread(
            target=post,
            args=(
                http,
                live.url,
                call("slow", {"label": "dup", "seconds": 0.5}, 77),
                legacy_headers(session),
            ),
        )
        first.start()
        live.wait_flag("dup:started")
        again = post(http, live.url, call("echo", {"text": "x"}, 77), legacy_headers(session))
        first.join()
        assert again.status_code == 400 and again.json()["error"]["code"] == -32600


def set_level(http: httpx.Client, url: str, session: str, level: str) -> None:
    request = {
        "jsonrpc": "2.0",
        "id": 2,
        "method": "logging/setLevel",
        "params": {"level": level},
    }
    assert post(http, url, request, legacy_headers(session)).json()["result"] == {}


def test_streaming_reply_starts_with_a_priming_event(live: Live, http: httpx.Client) -> None:
    session = open_session(http, live.url)
    set_level(http, live.url, session, "debug")
    message = call("chatty", None, 3)
    message["params"]["_meta"] = {"progressToken": 5}  # type: ignore[index]
    with http.stream(
        "POST", live.url, content=orjson.dumps(message), headers=legacy_headers(session)
    ) as reply:
        assert reply.headers["content-type"].startswith("text/event-stream")
        reader = SseReader(reply)
        priming = reader.next_event()
        assert priming.data == "" and priming.id and reader.parser.retry_ms == 50
        rest = [reader.next_message() for _ in range(7)]
    assert [m.get("method") for m in rest].count("notifications/progress") == 3
    assert rest[-1]["id"] == 3 and rest[-1]["result"]["content"][0]["text"] == "chatty done"


def test_server_closes_stream_and_client_resumes_with_last_event_id(
    live: Live, http: httpx.Client
) -> None:
    session = open_session(http, live.url)
    set_level(http, live.url, session, "info")
    first = http.post(
        live.url,
        content=orjson.dumps(call("reconnect", None, 9)),
        headers=legacy_headers(session),
    )
    assert first.headers["content-type"].startswith("text/event-stream")
    events = sse_events(first.content)
    assert events[0].data == "" and events[0].id is not None
    assert not any('"result"' in e.data for e in events), "the answer must wait for the resumption"
    last = [e.id for e in events if e.id][-1]
    resumed = http.get(
        live.url,
        headers={
            **legacy_headers(session),
            "accept": "text/event-stream",
            "last-event-id": last,
        },
    )
    got = [orjson.loads(e.data) for e in sse_events(resumed.content) if e.data]
    assert got[-1]["id"] == 9 and got[-1]["result"]["content"][0]["text"] == "resumed answer"
    assert any(m.get("params", {}).get("data") == "after the drop" for m in got)
    assert not any(m.get("params", {}).get("data") == "before the drop" for m in got), (
        "no replay before the cursor"
    )


def test_a_lone_answer_is_json_and_a_drop_before_any_output_still_resumes(
    live: Live, http: httpx.Client
) -> None:
    """A request whose only output is its answer gets it as a JSON body (no stream is
    made for it); one whose stream is dropped before anything went out still gets an SSE
    response with a priming event, from which a GET resumes the whole rest."""
    session = open_session(http, live.url)
    set_level(http, live.url, session, "info")
    plain = post(http, live.url, call("echo", {"text": "plain"}, 11), legacy_headers(session))
    assert plain.headers["content-type"] == "application/json"
    assert plain.json()["result"]["content"][0]["text"] == "plain"
    dropped = http.post(
        live.url,
        content=orjson.dumps(call("reconnect", {"drop_first": True}, 12)),
        headers=legacy_headers(session),
    )
    assert dropped.headers["content-type"].startswith("text/event-stream")
    events = sse_events(dropped.content)
    assert len(events) == 1 and events[0].data == "" and events[0].id is not None
    resumed = http.get(
        live.url,
        headers={
            **legacy_headers(session),
            "accept": "text/event-stream",
            "last-event-id": events[0].id,
        },
    )
    got = [orjson.loads(e.data) for e in sse_events(resumed.content) if e.data]
    assert [m["params"]["data"] for m in got if m.get("method")] == ["after the drop"]
    assert got[-1]["id"] == 12 and got[-1]["result"]["content"][0]["text"] == "resumed answer"


def test_client_drop_mid_stream_loses_nothing(live: Live) -> None:
    """The client hangs up after the priming event; replay from it yields the whole rest."""
    with httpx.Client(timeout=10) as http:
        session = open_session(http, live.url)
        set_level(http, live.url, session, "debug")
        with http.stream(
            "POST",
            live.url,
            content=orjson.dumps(call("chatty", None, 4)),
            headers=legacy_headers(session),
        ) as reply:
            priming = SseReader(reply).next_event()
        resumed = http.get(
            live.url,
            headers={
                **legacy_headers(session),
                "accept": "text/event-stream",
                "last-event-id": priming.id,
            },
        )
        got = [orjson.loads(e.data) for e in sse_events(resumed.content) if e.data]
    logs = [m["params"]["data"] for m in got if m.get("method") == "notifications/message"]
    assert logs == ["step 0", "step 1", "step 2"]
    assert got[-1]["result"]["content"][0]["text"] == "chatty done"


def test_unknown_last_event_id_is_404(live: Live, http: httpx.Client) -> None:
    session = open_session(http, live.url)
    headers = {
        **legacy_headers(session),
        "accept": "text/event-stream",
        "last-event-id": "s999/1",
    }
    assert http.get(live.url, headers=headers).status_code == 404


@pytest.mark.parametrize(
    "event_id", ["s1/\u00b2".encode("latin-1"), b"s1/" + b"9" * 5000, b"s1/-1"]
)
def test_a_malformed_last_event_id_is_404_not_500(
    live: Live, http: httpx.Client, event_id: bytes
) -> None:
    """A superscript digit passes ``str.isdigit`` and 5000 digits pass it too; neither
    may reach ``int()`` (500 and a traceback before)."""
    session = open_session(http, live.url)
    headers = {**legacy_headers(session), "accept": "text/event-stream"}
    response = http.get(live.url, headers={**headers, "last-event-id": event_id})  # type: ignore[dict-item]
    assert response.status_code == 404 and response.json()["error"]["code"] == -32600


def test_sampling_request_travels_on_the_tool_call_stream(live: Live, http: httpx.Client) -> None:
    session = open_session(http, live.url, capabilities={"sampling": {}})
    with (
        httpx.Client(timeout=10) as other,
        http.stream(
            "POST",
            live.url,
            content=orjson.dumps(call("ask_model", {"prompt": "hi"}, 11)),
            headers=legacy_headers(session),
        ) as reply,
    ):
        reader = SseReader(reply)
        request = reader.next_message()
        assert request["method"] == "sampling/createMessage" and "id" in request
        answer = {
            "jsonrpc": "2.0",
            "id": request["id"],
            "result": {
                "role": "assistant",
                "content": {"type": "text", "text": "yo"},
                "model": "m",
            },
        }
        assert post(other, live.url, answer, legacy_headers(session)).status_code == 202
        final = reader.next_message()
    assert final["id"] == 11 and final["result"]["content"][0]["text"] == "model said: yo"


def test_standalone_get_stream_carries_unrelated_notifications(live: Live) -> None:
    with httpx.Client(timeout=10) as http:
        session = open_session(http, live.url)
        get_headers = {**legacy_headers(session), "accept": "text/event-stream"}
        with http.stream("GET", live.url, headers=get_headers) as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            with httpx.Client(timeout=10) as other:
                post(
                    other,
                    live.url,
                    call("touch_tools", None, 12),
                    legacy_headers(session),
                )
            reader = SseReader(stream)
            assert reader.next_message()["method"] == "notifications/tools/list_changed"


def test_get_needs_an_event_stream_accept(live: Live, http: httpx.Client) -> None:
    session = open_session(http, live.url)
    assert (
        http.get(
            live.url, headers={"accept": "application/json", "mcp-session-id": session}
        ).status_code
        == 406
    )


def test_initialize_post_needs_both_accept_types(live: Live, http: httpx.Client) -> None:
    init = initialize()
    assert (
        post(
            http,
            live.url,
            init,
            {"accept": "application/json", "content-type": "application/json"},
        ).status_code
        == 406
    )
    assert (
        post(http, live.url, init, {"accept": BOTH, "content-type": "application/json"}).status_code
        == 200
    )


def test_cancelled_request_stream_ends_without_a_response(live: Live) -> None:
    with httpx.Client(timeout=10) as http:
        session = open_session(http, live.url)
        outcome: list[httpx.Response] = []
        slow = threading.Thread(
            target=lambda: outcome.append(
                post(
                    http,
                    live.url,
                    call("slow", {"label": "cancel-me", "seconds": 30}, 31),
                    legacy_headers(session),
                )
            )
        )
        slow.start()
        live.wait_flag("cancel-me:started")
        note = {
            "jsonrpc": "2.0",
            "method": "notifications/cancelled",
            "params": {"requestId": 31, "reason": "user"},
        }
        assert post(http, live.url, note, legacy_headers(session)).status_code == 202
        slow.join(5)
        assert not slow.is_alive(), "the cancelled request's POST never ended"
        assert messages(outcome[0]) == [] or all("result" not in m for m in messages(outcome[0]))
        assert live.flagged("cancel-me:cancelled")
        assert post(
            http,
            live.url,
            call("echo", {"text": "still fine"}, 31),
            legacy_headers(session),
        ).json()["result"]
