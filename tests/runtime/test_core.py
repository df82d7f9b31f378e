"""The transport-facing server core in-process: related-id routing, capability gating,
handler-revision choice. (Everything else is tested through real subprocesses.)"""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from mcp_foundry import generated
from mcp_foundry.generated.rev_2025_06_18.handlers import ServerHandlers as LegacyHandlers
from mcp_foundry.runtime.server import Server
from rt_fixture_server import Fixture, build
from rt_support import modern_meta

pytestmark = pytest.mark.timeout(30)


class Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[Any, Any]] = []

    async def __call__(self, message: Any, related: Any) -> None:
        self.sent.append((message, related))

    def methods(self) -> list[tuple[str, Any]]:
        return [(m.get("method"), r) for m, r in self.sent if isinstance(m, dict) and "method" in m]


def call(request_id: Any, name: str, meta: dict[str, Any] | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {"name": name, "arguments": {}}
    if meta is not None:
        params["_meta"] = meta
    return {"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": params}


def initialize(
    version: str = "2025-11-25", capabilities: dict[str, Any] | None = None
) -> dict[str, Any]:
    params = {
        "protocolVersion": version,
        "capabilities": capabilities or {},
        "clientInfo": {"name": "t", "version": "1"},
    }
    return {"jsonrpc": "2.0", "id": "init", "method": "initialize", "params": params}


def test_every_outgoing_message_names_its_request() -> None:
    server = build()
    sink = Recorder()

    async def run() -> None:
        async with server.session(sink) as session:
            await session.feed(initialize())
            await session.feed({"jsonrpc": "2.0", "method": "notifications/initialized"})
            await session.feed(call("p", "progress", {"progressToken": "tok"}))
            await session.feed(call("n", "notify_tools"))

    anyio.run(run)
    routed = {(m.get("method") or "answer", m.get("id"), r) for m, r in sink.sent}
    assert ("notifications/progress", None, "p") in routed
    assert ("answer", "p", "p") in routed and ("answer", "n", "n") in routed
    assert (
        "notifications/tools/list_changed",
        None,
        None,
    ) in routed  # unrelated: standalone stream


def test_server_requests_carry_the_related_id() -> None:
    server = build()
    sink = Recorder()

    async def run() -> None:
        async with server.session(sink) as session:
            await session.feed(initialize(capabilities={"elicitation": {}}))
            await session.feed(call("ask", "ask_name"))
            for _ in range(100):
                requests = [(m, r) for m, r in sink.sent if m.get("method") == "elicitation/create"]
                if requests:
                    break
                await anyio.sleep(0.01)
            message, related = requests[0]
            assert related == "ask"
            await session.feed(
                {
                    "jsonrpc": "2.0",
                    "id": message["id"],
                    "result": {"action": "accept", "content": {"name": "Bo"}},
                }
            )

    anyio.run(run)
    answer = next(m for m, _ in sink.sent if m.get("id") == "ask")
    assert answer["result"]["content"][0]["text"] == "Hello, Bo! (accept)"


def test_undeclared_capabilities_are_never_used() -> None:
    handlers = Fixture()
    server = Server(handlers, name="quiet", version="1", capabilities={"tools": {}})
    handlers.server = server
    sink = Recorder()

    async def run() -> None:
        async with server.session(sink) as session:
            await session.feed(initialize())
            await session.feed(call(1, "log"))
            await session.feed(call(2, "notify_tools"))
            await session.feed({"jsonrpc": "2.0", "id": 3, "method": "prompts/list"})

    anyio.run(run)
    assert sink.methods() == []  # no logging capability, no listChanged: nothing unsolicited
    prompts = next(m for m, _ in sink.sent if m.get("id") == 3)
    assert prompts["error"]["code"] == -32601  # prompts not advertised


def test_handler_written_against_an_older_revision_serves_modern_clients() -> None:
    models = generated.load("2025-06-18").models

    class Old(LegacyHandlers):
        async def tools_list(self, params: Any, ctx: Any) -> Any:
            return models.ListToolsResult(
                tools=[models.Tool(name="old", input_schema={"type": "object"})]
            )

        async def tools_call(self, params: Any, ctx: Any) -> Any:
            return models.CallToolResult(
                content=[models.TextContent(type="text", text=f"{params.name} at {ctx.revision}")]
            )

    server = Server(Old(), name="old", version="1", revision="2025-06-18")
    sink = Recorder()

    async def run() -> dict[str, Any] | None:
        return await server.handle_modern(call(1, "old", modern_meta()), sink)

    answer = anyio.run(run)
    assert answer is not None
    assert answer["result"]["content"] == [{"type": "text", "text": "old at 2026-07-28"}]
    assert answer["result"]["resultType"] == "complete"


def test_peer_backpressure_waits_for_room() -> None:
    from mcp_foundry.runtime.engine import Peer

    release = anyio.Event()
    sink = Recorder()

    async def on_request(request_id: Any, method: str, params: Any) -> dict[str, Any]:
        await release.wait()
        return {}

    async def on_notification(method: str, params: Any) -> None:
        pass

    async def run() -> None:
        async with Peer(sink, on_request, on_notification) as peer:
            peer.max_in_flight = 4
            for index in range(4):
                await peer.feed({"jsonrpc": "2.0", "id": index, "method": "x"})
            assert peer.in_flight_full()
            with anyio.move_on_after(0.2) as blocked:
                await peer.wait_for_room()
            assert blocked.cancelled_caught
            release.set()
            with anyio.fail_after(5):
                await peer.wait_for_room()
            await peer.drain()

    anyio.run(run)
    assert sorted(m["id"] for m, _ in sink.sent) == [0, 1, 2, 3]
