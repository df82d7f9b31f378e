"""2025-11-25 sessions (``initialize`` + ``Mcp-Session-Id``) served by three instances that
share one store, behind a round-robin balancer without stickiness: in this process over a
shared MemoryStore, and as processes over a real Redis behind haproxy."""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from legacy_support import (
    SseReader,
    call,
    headers,
    in_process_cluster,
    messages,
    open_session,
    post,
    request,
)
from local_services import Cluster, RedisServer, require

APP = [sys.executable, str(Path(__file__).with_name("legacy_support.py"))]


@dataclass
class Deployment:
    url: str
    """The balancer's MCP endpoint."""
    instances: list[str]
    """Each instance's own MCP endpoint (to aim a request at one on purpose)."""


@pytest.fixture(scope="module", params=["memory", "redis"])
def deployment(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    if request.param == "memory":
        with in_process_cluster(3) as running:
            yield Deployment(running.url, running.instances)
        return
    require("redis-server", "haproxy")
    folder = tmp_path_factory.mktemp("legacy-cluster")
    redis = RedisServer(folder)
    redis.start()
    processes = Cluster(folder, redis, 3, APP)
    processes.start()
    try:
        yield Deployment(processes.url, [i.url for i in processes.instances])
    finally:
        processes.stop()
        redis.stop()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


def result_text(response: httpx.Response) -> str:
    final = messages(response)[-1]
    assert "result" in final, final
    text: str = final["result"]["content"][0]["text"]
    return text


def test_every_request_may_land_anywhere(deployment: Deployment, http: httpx.Client) -> None:
    session = open_session(http, deployment.url)
    for n in range(6):
        response = post(http, deployment.url, call("echo", {"text": f"hi {n}"}, n + 1), session)
        assert response.status_code == 200, response.text
        assert result_text(response) == f"hi {n}"
        assert response.headers["mcp-session-id"] == session
    for url in deployment.instances:
        listed = post(http, url, request("tools/list", {}, 99), session)
        assert any(t["name"] == "echo" for t in messages(listed)[0]["result"]["tools"])


@pytest.mark.parametrize("version", ["2025-06-18", "2025-03-26"])
def test_older_revisions_too(deployment: Deployment, http: httpx.Client, version: str) -> None:
    a, b, c = deployment.instances
    opened = post(http, a, open_request(version))
    assert opened.json()["result"]["protocolVersion"] == version
    session = opened.headers["mcp-session-id"]
    initialized = {"jsonrpc": "2.0", "method": "notifications/initialized"}
    assert post(http, b, initialized, session).status_code == 202
    if version == "2025-03-26":  # the revision with batches
        batch = [call("echo", {"text": "one"}, 1), call("echo", {"text": "two"}, 2)]
        answers = messages(post(http, c, batch, session))[0]
        assert sorted(m["result"]["content"][0]["text"] for m in answers) == ["one", "two"]
    assert result_text(post(http, c, call("echo", {"text": "three"}, 3), session)) == "three"


def test_unknown_session_is_404_everywhere(deployment: Deployment, http: httpx.Client) -> None:
    for url in deployment.instances:
        response = post(http, url, call("echo", {"text": "x"}), "no-such-session")
        assert response.status_code == 404
    assert post(http, deployment.url, call("echo", {"text": "x"}), "../../etc").status_code == 404


def test_log_level_is_written_through(deployment: Deployment, http: httpx.Client) -> None:
    a, b, c = deployment.instances
    session = open_session(http, a)
    post(http, c, call("chatty", {}, 1), session)  # a replica on c, at the default level
    assert (
        post(http, a, request("logging/setLevel", {"level": "error"}, 2), session).status_code
        == 200
    )
    for url in (b, c):
        logged = [
            m for m in messages(post(http, url, call("chatty", {}, 3), session)) if "method" in m
        ]
        assert [m["params"]["level"] for m in logged] == ["error"], url
    post(http, b, request("logging/setLevel", {"level": "debug"}, 4), session)
    logged = [m for m in messages(post(http, c, call("chatty", {}, 5), session)) if "method" in m]
    assert [m["params"]["level"] for m in logged] == ["debug", "error"]


def test_elicitation_answer_lands_on_another_instance(
    deployment: Deployment, http: httpx.Client
) -> None:
    a, b, _ = deployment.instances
    session = open_session(http, a, {"elicitation": {}})
    with http.stream("POST", a, json=call("ask", {}, 7), headers=headers(session)) as stream:
        reader = SseReader(stream)
        asked, _ = reader.next_message()
        assert asked["method"] == "elicitation/create"
        answer = {
            "jsonrpc": "2.0",
            "id": asked["id"],
            "result": {"action": "accept", "content": {"name": "Ada"}},
        }
        assert post(http, b, answer, session).status_code == 202
        final, _ = reader.next_message()
    assert final["id"] == 7
    assert final["result"]["content"][0]["text"] == "hello Ada"


def test_cancel_lands_on_another_instance(deployment: Deployment, http: httpx.Client) -> None:
    a, b, _ = deployment.instances
    session = open_session(http, deployment.url)
    outcome: list[httpx.Response] = []

    def run() -> None:
        with httpx.Client(timeout=20) as own:
            outcome.append(post(own, a, call("slow", {"label": "far-cancel"}, 11), session))

    started = time.monotonic()
    runner = threading.Thread(target=run)
    runner.start()
    time.sleep(0.5)  # the call is running on a
    cancel = {
        "jsonrpc": "2.0",
        "method": "notifications/cancelled",
        "params": {"requestId": 11, "reason": "changed my mind"},
    }
    assert post(http, b, cancel, session).status_code == 202
    runner.join(10)
    assert not runner.is_alive() and time.monotonic() - started < 10
    # cancelled: the stream ends with no answer (cancellation.mdx)
    assert [m for m in messages(outcome[0]) if m.get("id") == 11] == []


def test_post_stream_resumes_on_another_instance(
    deployment: Deployment, http: httpx.Client
) -> None:
    a, b, _ = deployment.instances
    session = open_session(http, deployment.url)
    seen: list[dict[str, Any]] = []
    last: str | None = None
    with http.stream("POST", a, json=call("reconnect", {}, 21), headers=headers(session)) as stream:
        reader = SseReader(stream)
        while True:
            try:
                event = reader.next_event()
            except StopIteration:
                break
            last = event.id or last
            if event.data:
                seen.append(orjson.loads(event.data))
    assert [m["params"]["data"] for m in seen] == ["before the drop"]
    assert last is not None
    with http.stream("GET", b, headers={**headers(session), "last-event-id": last}) as resumed:
        assert resumed.status_code == 200
        reader = SseReader(resumed)
        after, _ = reader.next_message()
        final, _ = reader.next_message()
    assert after["params"]["data"] == "after the drop"
    assert final["id"] == 21 and final["result"]["content"][0]["text"] == "resumed answer"


def test_list_changed_reaches_a_get_stream_on_another_instance(
    deployment: Deployment, http: httpx.Client
) -> None:
    a, b, c = deployment.instances
    listener = open_session(http, a)
    other = open_session(http, c)
    with http.stream("GET", b, headers=headers(listener)) as stream:
        assert stream.status_code == 200
        reader = SseReader(stream)
        post(http, c, call("touch_tools", {}, 1), other)
        first, first_id = reader.next_message()
        post(http, a, call("update", {"uri": "test://watched"}, 2), other)  # nobody subscribed
        post(http, a, call("touch_tools", {}, 3), other)
        second, second_id = reader.next_message()
    assert first["method"] == second["method"] == "notifications/tools/list_changed"
    assert first_id != second_id  # exactly once each, in order


def test_subscribers_get_resource_updates(deployment: Deployment, http: httpx.Client) -> None:
    a, b, c = deployment.instances
    session = open_session(http, a)
    watched = {"uri": "test://watched"}
    assert (
        "result" in messages(post(http, b, request("resources/subscribe", watched, 1), session))[0]
    )
    with http.stream("GET", c, headers=headers(session)) as stream:
        reader = SseReader(stream)
        post(http, a, call("update", watched, 2), session)
        updated, _ = reader.next_message()
        assert updated == {
            "jsonrpc": "2.0",
            "method": "notifications/resources/updated",
            "params": watched,
        }
        post(http, c, request("resources/unsubscribe", watched, 3), session)
        post(http, b, call("update", watched, 4), session)
        post(http, b, call("touch_tools", {}, 5), session)
        after, _ = reader.next_message()
    assert after["method"] == "notifications/tools/list_changed"


def test_get_resumes_on_another_instance_with_what_was_missed(
    deployment: Deployment, http: httpx.Client
) -> None:
    a, b, c = deployment.instances
    session = open_session(http, deployment.url)
    with http.stream("GET", a, headers=headers(session)) as stream:
        reader = SseReader(stream)
        post(http, c, call("touch_tools", {}, 1), session)
        _, last = reader.next_message()
    assert last is not None
    post(http, c, call("update", {"uri": "test://none"}, 2), session)
    post(http, a, call("touch_tools", {}, 3), session)
    post(http, b, call("touch_tools", {}, 4), session)
    with http.stream("GET", b, headers={**headers(session), "last-event-id": last}) as stream:
        reader = SseReader(stream)
        one, one_id = reader.next_message()
        two, two_id = reader.next_message()
        post(http, c, call("touch_tools", {}, 5), session)
        three, three_id = reader.next_message()
    assert len({one_id, two_id, three_id, last}) == 4
    assert one["method"] == two["method"] == three["method"] == "notifications/tools/list_changed"


def test_a_newer_get_stream_takes_over(deployment: Deployment, http: httpx.Client) -> None:
    a, b, c = deployment.instances
    session = open_session(http, a)
    with http.stream("GET", a, headers=headers(session)) as first:
        older = SseReader(first)
        with http.stream("GET", b, headers=headers(session)) as second:
            newer = SseReader(second)
            with pytest.raises(StopIteration):  # the older connection ends
                older.next_message()
            post(http, c, call("touch_tools", {}, 1), session)
            changed, _ = newer.next_message()
    assert changed["method"] == "notifications/tools/list_changed"


def test_event_ids_are_scoped_to_their_session(deployment: Deployment, http: httpx.Client) -> None:
    a, b, _ = deployment.instances
    mine = open_session(http, a)
    theirs = open_session(http, a)
    with http.stream("GET", a, headers=headers(theirs)) as stream:
        reader = SseReader(stream)
        post(http, b, call("touch_tools", {}, 1), theirs)
        _, their_id = reader.next_message()
    assert their_id is not None
    for url in deployment.instances:
        response = http.get(url, headers={**headers(mine), "last-event-id": their_id})
        assert response.status_code == 404


def test_delete_ends_the_session_everywhere(deployment: Deployment, http: httpx.Client) -> None:
    session = open_session(http, deployment.url)
    for n, url in enumerate(deployment.instances):  # a live replica on every instance
        assert post(http, url, call("echo", {"text": "x"}, n + 1), session).status_code == 200
    assert http.delete(deployment.instances[1], headers=headers(session)).status_code == 200
    for url in deployment.instances:
        assert post(http, url, call("echo", {"text": "x"}, 9), session).status_code == 404
        assert http.get(url, headers=headers(session)).status_code == 404
    assert http.delete(deployment.instances[0], headers=headers(session)).status_code == 404


def test_official_sdk_client_through_the_balancer(deployment: Deployment) -> None:
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    async def use() -> list[str]:
        texts = []
        for n in range(3):
            async with streamable_http_client(deployment.url) as streams:
                async with ClientSession(streams[0], streams[1]) as session:
                    init = await session.initialize()
                    assert init.protocol_version == "2025-11-25"
                    tools = await session.list_tools()
                    assert "echo" in [t.name for t in tools.tools]
                    for m in range(3):
                        result = await session.call_tool("echo", {"text": f"{n}.{m}"})
                        texts.append(result.content[0].text)  # type: ignore[union-attr]
        return texts

    assert asyncio.run(use()) == [f"{n}.{m}" for n in range(3) for m in range(3)]


# ---- an instance dies (SIGKILL) ---------------------------------------------------------


def test_get_stream_survives_its_instance_being_killed(make_cluster: Any) -> None:
    processes = make_cluster(3, app=APP)
    i0, i1, i2 = processes.instances
    with httpx.Client(timeout=10) as http:
        session = open_session(http, processes.url)
        with http.stream("GET", i0.url, headers=headers(session)) as stream:
            reader = SseReader(stream)
            post(http, i1.url, call("touch_tools", {}, 1), session)
            _, last = reader.next_message()
            i0.kill()
        assert last is not None
        # published while the client is cut off, from the instances still alive
        post(http, i1.url, call("update", {"uri": "test://nobody"}, 2), session)
        post(http, i2.url, call("touch_tools", {}, 3), session)
        post(http, i1.url, call("touch_tools", {}, 4), session)
        resume = {**headers(session), "last-event-id": last}
        with http.stream("GET", processes.url, headers=resume) as stream:
            assert stream.status_code == 200, processes.logs()
            reader = SseReader(stream)
            ids = [reader.next_message()[1] for _ in range(2)]
            post(http, i2.url, call("touch_tools", {}, 5), session)
            ids.append(reader.next_message()[1])
    assert len({last, *ids}) == 4, ids  # every event once, none replayed twice


def test_a_request_on_a_killed_instance_is_answered_with_an_error(make_cluster: Any) -> None:
    processes = make_cluster(3, app=APP)
    i0, i1, _ = processes.instances
    with httpx.Client(timeout=10) as http:
        session = open_session(http, processes.url)
        post(http, i1.url, request("logging/setLevel", {"level": "info"}, 1), session)
        with http.stream(
            "POST", i0.url, json=call("working", {}, 2), headers=headers(session)
        ) as s:
            reader = SseReader(s)
            said, last = reader.next_message()
            assert said["params"]["data"] == "working"
            i0.kill()
        assert last is not None
        resume = {**headers(session), "last-event-id": last}
        with http.stream("GET", processes.url, headers=resume) as stream:
            assert stream.status_code == 200, processes.logs()
            answer, _ = SseReader(stream).next_message()
    assert answer["id"] == 2
    assert answer["error"]["code"] == -32603
    assert "will not be answered" in answer["error"]["message"]


# ---- the store goes away and comes back ------------------------------------------------


def test_a_redis_outage_is_a_clear_error_then_heals(make_cluster: Any) -> None:
    processes = make_cluster(2, app=APP)
    i0, i1 = processes.instances
    with httpx.Client(timeout=20) as http:
        session = open_session(http, i0.url)
        processes.redis.stop()
        for url in (i0.url, i1.url):  # i1 has not listened on the store yet
            refused = post(http, url, open_request(), None)
            assert refused.status_code == 503 and refused.json()["error"]["code"] == -32050
        unknown_here = post(http, i1.url, call("echo", {"text": "x"}, 2), session)
        assert unknown_here.status_code == 503
        assert unknown_here.json()["error"]["code"] == -32050
        assert unknown_here.headers["retry-after"]
        processes.redis.start()  # empty: every session is gone
        deadline = time.monotonic() + 20
        while True:
            response = post(http, i1.url, call("echo", {"text": "x"}, 3), session)
            if response.status_code != 503 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert response.status_code == 404
        again = open_session(http, processes.url)
        assert post(http, i1.url, call("echo", {"text": "y"}, 4), again).status_code == 200


def open_request(version: str = "2025-11-25") -> dict[str, Any]:
    return request(
        "initialize",
        {
            "protocolVersion": version,
            "capabilities": {},
            "clientInfo": {"name": "t", "version": "1"},
        },
        1,
    )
