"""Our client against our server: negotiation, typed calls, input rounds in both eras,
sealed request state, capability gating, client-side timeouts, subscriptions."""

from __future__ import annotations

import sys
from typing import Any

import anyio
import pytest
from mcp_foundry.runtime import revisions
from mcp_foundry.runtime.client import Client, NotAdvertised, connect_stdio
from mcp_foundry.runtime.engine import RequestTimeout
from mcp_foundry.runtime.errors import RpcError
from rt_support import FIXTURE, Pipe, modern_meta

pytestmark = pytest.mark.timeout(90)


async def answer_name(params: Any) -> dict[str, Any]:
    message = params.message if hasattr(params, "message") else params["message"]
    content = {"name": "Ann"} if "name" in message else {"color": "green"}
    return {"action": "accept", "content": content}


async def answer_sample(params: Any) -> dict[str, Any]:
    return {"role": "assistant", "content": {"type": "text", "text": "Paris"}, "model": "m"}


async def answer_roots(params: Any) -> dict[str, Any]:
    return {"roots": [{"uri": "file:///a"}, {"uri": "file:///b"}]}


def with_handlers(client: Client) -> Client:
    client.on_request("elicitation/create", answer_name)
    client.on_request("sampling/createMessage", answer_sample)
    client.on_request("roots/list", answer_roots)
    return client


ELICITING = [
    v for v in revisions.available() if "elicitation/create" in revisions.bindings(v).methods
]
"""Every served revision in which a server may ask the user (the input requests below)."""
NEWEST_MODERN = [v for v in revisions.available() if revisions.is_modern(v)][-1]


@pytest.mark.parametrize("version", [None, *ELICITING])
def test_input_requests_in_every_era(version: str | None) -> None:
    async def run() -> None:
        async with connect_stdio(FIXTURE, connect=False, stderr=sys.stderr) as client:
            with_handlers(client)
            await client.connect(version)
            assert client.revision == (version or NEWEST_MODERN)
            hello = await client.call_tool("ask_name")
            assert hello.content[0].text == "Hello, Ann! (accept)"
            two = await client.call_tool("two_questions")
            assert two.content[0].text == "Ann likes green"
            said = await client.call_tool("sample")
            assert said.content[0].text == "Model said: Paris"
            roots = await client.call_tool("roots")
            assert roots.content[0].text == "2 roots"

    anyio.run(run)


def test_sampling_and_roots_at_2024_11_05() -> None:
    async def run() -> None:
        async with connect_stdio(FIXTURE, connect=False) as client:
            with_handlers(client)
            await client.connect("2024-11-05")
            assert (await client.call_tool("sample")).content[0].text == "Model said: Paris"
            assert (await client.call_tool("roots")).content[0].text == "2 roots"
            with pytest.raises(RpcError) as missing:
                await client.call_tool(
                    "ask_name"
                )  # no elicitation in 2024-11-05: the runtime refuses to ask
            assert missing.value.code in (-32021, -32601)

    anyio.run(run)


def test_auto_negotiation_falls_back_for_legacy_only_servers() -> None:
    async def run() -> None:
        legacy_only = [*FIXTURE, "--versions", "2025-03-26,2025-06-18"]
        async with connect_stdio(legacy_only) as client:
            assert client.revision == "2025-06-18"
            assert (await client.call_tool("echo", {"text": "x"})).content[0].text == "x"
        modern_only = [*FIXTURE, "--versions", "2026-07-28"]
        async with connect_stdio(modern_only, connect=False) as client:
            assert await client.connect() == "2026-07-28"
            with pytest.raises(RpcError) as refused:
                await client._initialize("2025-11-25")
            assert "2026-07-28" in refused.value.message  # versioning.mdx: name the versions

    anyio.run(run)


def test_input_requests_an_older_client_cannot_read_are_not_sent() -> None:
    async def run(version: str) -> Any:
        async with connect_stdio(FIXTURE, connect=False) as client:
            with_handlers(client)
            await client.connect(version)
            try:
                return await client.call_tool("pick_many")
            except RpcError as exc:
                return exc

    assert anyio.run(run, "2025-11-25").content[0].text == "picked accept"
    refused = anyio.run(run, "2025-06-18")
    assert (
        isinstance(refused, RpcError) and refused.code == -32603 and "2025-06-18" in refused.message
    )


def test_server_never_asks_what_the_client_did_not_declare() -> None:
    async def run() -> None:
        async with connect_stdio(FIXTURE, version="2025-11-25") as client:
            with pytest.raises(RpcError) as refused:
                await client.call_tool("ask_name")
            assert refused.value.code == -32021
            assert refused.value.data == {"requiredCapabilities": {"elicitation": {}}}

    anyio.run(run)


def test_client_never_calls_what_the_server_did_not_advertise() -> None:
    async def run() -> None:
        async with connect_stdio(FIXTURE) as client:
            with pytest.raises(NotAdvertised):
                await client.call("resources/list", {})
            assert (await client.call("prompts/list", {})).prompts[0].name == "greet"

    anyio.run(run)


def test_client_notifications_need_the_clients_own_capability() -> None:
    async def run() -> None:
        async with connect_stdio(FIXTURE, version="2025-11-25") as bare:
            with pytest.raises(NotAdvertised):
                await bare.notify("notifications/roots/list_changed")
        async with connect_stdio(FIXTURE, connect=False) as client:
            with_handlers(client)
            await client.connect("2025-11-25")
            await client.notify("notifications/roots/list_changed")
            assert (await client.ping()) == {}

    anyio.run(run)


def test_client_timeout_cancels_on_the_server() -> None:
    async def run() -> None:
        async with connect_stdio(FIXTURE, version="2025-11-25") as client:
            started = anyio.Event()
            with pytest.raises(RequestTimeout):
                await client.call_tool(
                    "slow", {"seconds": 30}, timeout=2.0, on_progress=lambda _: started.set()
                )
            assert started.is_set()
            for _ in range(50):  # the cancellation notification races the next call
                count = await client.call_tool("cancelled_count")
                if count.content[0].text == "1":
                    break
                await anyio.sleep(0.1)
            assert count.content[0].text == "1"

    anyio.run(run)


def input_round(pipe: Pipe, request_id: Any, name: str, extra: dict[str, Any] | None = None) -> Any:
    params = {
        "name": name,
        "arguments": {},
        "_meta": modern_meta(**{"io.modelcontextprotocol/clientCapabilities": {"elicitation": {}}}),
        **(extra or {}),
    }
    return pipe.call(request_id, "tools/call", params)["result"]


def test_request_state_is_sealed_and_bound(pipe: Pipe) -> None:
    first = input_round(pipe, 1, "two_questions")
    assert first["resultType"] == "input_required"
    (key,) = first["inputRequests"]
    state1 = first["requestState"]
    answers = {key: {"action": "accept", "content": {"name": "Ann"}}}
    second = input_round(
        pipe, 2, "two_questions", {"inputResponses": answers, "requestState": state1}
    )
    assert second["resultType"] == "input_required" and second["requestState"] != state1
    # missing answer: asked again rather than failing
    again = input_round(
        pipe, 3, "two_questions", {"inputResponses": {}, "requestState": second["requestState"]}
    )
    assert again["resultType"] == "input_required"
    (key2,) = second["inputRequests"]
    final = input_round(
        pipe,
        4,
        "two_questions",
        {
            "inputResponses": {key2: {"action": "accept", "content": {"color": "red"}}},
            "requestState": second["requestState"],
        },
    )
    assert final["content"][0]["text"] == "Ann likes red"
    # tampering, or presenting the state on another request, is an error
    tampered = state1[:-3] + ("AAA" if not state1.endswith("AAA") else "BBB")
    bad = pipe.call(
        5,
        "tools/call",
        {
            "name": "two_questions",
            "_meta": modern_meta(),
            "inputResponses": answers,
            "requestState": tampered,
        },
    )
    assert bad["error"]["code"] == -32602
    moved = pipe.call(
        6,
        "tools/call",
        {
            "name": "ask_name",
            "_meta": modern_meta(),
            "inputResponses": answers,
            "requestState": state1,
        },
    )
    assert moved["error"]["code"] == -32602
    malformed = pipe.call(
        7, "tools/call", {"name": "two_questions", "_meta": modern_meta(), "inputResponses": 5}
    )
    assert malformed["error"]["code"] == -32602


def _changed_first(state: str) -> str:
    return ("s" if state[0] != "s" else "t") + state[1:]


@pytest.mark.parametrize(
    "forge",
    [
        _changed_first,
        lambda state: "",
        lambda state: "plain",
        lambda state: None,
        lambda state: state[len("rt1.") :],  # a valid seal without the runtime's prefix
    ],
    ids=["first-char", "empty", "plain", "null", "unprefixed"],
)
def test_a_retried_round_refuses_a_forged_state(pipe: Pipe, forge: Any) -> None:
    first = input_round(pipe, 1, "ask_name")
    (key,) = first["inputRequests"]
    answers = {key: {"action": "accept", "content": {"name": "Ann"}}}
    retry = {"inputResponses": answers, "requestState": forge(first["requestState"])}
    refused = pipe.call(2, "tools/call", {"name": "ask_name", "_meta": modern_meta(), **retry})
    assert refused["error"]["code"] == -32602, refused


def test_a_retried_round_without_state_is_refused(pipe: Pipe) -> None:
    first = input_round(pipe, 1, "ask_name")
    (key,) = first["inputRequests"]
    answers = {key: {"action": "accept", "content": {"name": "Ann"}}}
    params = {"name": "ask_name", "_meta": modern_meta(), "inputResponses": answers}
    assert pipe.call(2, "tools/call", params)["error"]["code"] == -32602


def test_only_asked_questions_take_answers(pipe: Pipe) -> None:
    first = input_round(pipe, 1, "two_questions")
    (key,) = first["inputRequests"]
    ahead = {
        key: {"action": "accept", "content": {"name": "Ann"}},
        "elicit-2": {"action": "accept", "content": {"color": "red"}},  # not asked yet
    }
    second = input_round(
        pipe, 2, "two_questions", {"inputResponses": ahead, "requestState": first["requestState"]}
    )
    assert second["resultType"] == "input_required"  # the second question is still asked


def test_a_handlers_own_round_state_travels_sealed(pipe: Pipe) -> None:
    first = input_round(pipe, 1, "own_round")
    assert first["resultType"] == "input_required" and first["requestState"] != "mine"
    final = input_round(pipe, 2, "own_round", {"requestState": first["requestState"]})
    assert final["content"][0]["text"] == "own state: mine"
    forged = pipe.call(
        3, "tools/call", {"name": "own_round", "_meta": modern_meta(), "requestState": "mine"}
    )
    assert forged["error"]["code"] == -32602


def test_input_required_is_never_used_where_mrtr_forbids_it(pipe: Pipe) -> None:
    listed = pipe.call(1, "tools/list", {"_meta": modern_meta()})
    assert listed["result"]["resultType"] == "complete"


def test_builtin_subscriptions_listen(pipe: Pipe) -> None:
    listen = {
        "_meta": modern_meta(),
        "notifications": {
            "toolsListChanged": True,
            "promptsListChanged": True,
            "resourceSubscriptions": ["x"],
        },
    }
    pipe.request("sub", "subscriptions/listen", listen)
    ack = pipe.receive(timeout=20)
    assert ack["method"] == "notifications/subscriptions/acknowledged"
    assert ack["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == "sub"
    assert ack["params"]["notifications"] == {
        "toolsListChanged": True,
        "promptsListChanged": True,
    }  # no resources here
    pipe.call(1, "tools/call", {"name": "notify_tools", "_meta": modern_meta()})
    changed = [m for m in pipe.seen if m.get("method") == "notifications/tools/list_changed"]
    assert (
        changed and changed[0]["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == "sub"
    )
    pipe.close_input()
    tail = pipe.rest()
    notice = [m for m in tail if m.get("method") == "notifications/cancelled"]
    closing = [m for m in tail if m.get("id") == "sub"]
    assert notice[0]["params"]["requestId"] == "sub" and tail.index(notice[0]) < tail.index(
        closing[0]
    )
    assert closing[0]["result"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == "sub"
    assert pipe.finish() == 0


def test_cancelled_listen_ends_without_answer(pipe: Pipe) -> None:
    pipe.request(
        "sub",
        "subscriptions/listen",
        {"_meta": modern_meta(), "notifications": {"toolsListChanged": True}},
    )
    assert pipe.receive()["method"] == "notifications/subscriptions/acknowledged"
    pipe.send(
        {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": "sub"}}
    )
    pipe.call(1, "tools/call", {"name": "notify_tools", "_meta": modern_meta()})
    assert not [m for m in pipe.seen if m.get("method") == "notifications/tools/list_changed"]
    pipe.close_input()
    assert not [m for m in pipe.rest() if m.get("id") == "sub"]


def test_legacy_list_changed_reaches_initialized_sessions(pipe: Pipe) -> None:
    pipe.initialize()
    pipe.call(1, "tools/call", {"name": "notify_tools"})
    assert [m for m in pipe.seen if m.get("method") == "notifications/tools/list_changed"]
