"""One 2026-07-28 handler serving every revision: negotiation, projection, batching."""

from __future__ import annotations

import pytest
from rt_support import LEGACY, Pipe, modern_meta

pytestmark = pytest.mark.timeout(90)

# What each revision's schema first allows (checked against schema.ts of each revision).
TOOL_TITLE = {"2025-06-18", "2025-11-25"}
TOOL_ICONS = {"2025-11-25"}
OUTPUT_SCHEMA = {"2025-06-18", "2025-11-25"}
STRUCTURED = {"2025-06-18", "2025-11-25"}
AUDIO = {"2025-03-26", "2025-06-18", "2025-11-25"}
RESOURCE_LINK = {"2025-06-18", "2025-11-25"}


def test_initialize_answers_requested_or_latest_legacy(pipe: Pipe) -> None:
    answer = pipe.initialize("2099-01-01")
    assert answer["result"]["protocolVersion"] == "2025-11-25"
    assert answer["result"]["serverInfo"]["name"] == "fixture"
    assert answer["result"]["instructions"] == "for tests"
    again = pipe.call(
        2,
        "initialize",
        {
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": "t", "version": "1"},
        },
    )
    assert again["error"]["code"] == -32600


@pytest.mark.parametrize("version", LEGACY)
def test_legacy_session_sees_only_its_revision(version: str) -> None:
    server = Pipe()
    init = server.initialize(version)["result"]
    assert init["protocolVersion"] == version
    caps = init["capabilities"]
    assert ("completions" in caps) == (version != "2024-11-05")
    tools = server.call(1, "tools/list")["result"]
    assert "resultType" not in tools and "ttlMs" not in tools and "_meta" not in tools
    echo = next(t for t in tools["tools"] if t["name"] == "echo")
    assert ("title" in echo) == (version in TOOL_TITLE)
    assert ("icons" in echo) == (version in TOOL_ICONS)
    assert ("outputSchema" in echo) == (version in OUTPUT_SCHEMA)
    rich = server.call(2, "tools/call", {"name": "rich"})["result"]
    kinds = [c["type"] for c in rich["content"]]
    assert ("structuredContent" in rich) == (version in STRUCTURED)
    assert ("audio" in kinds) == (version in AUDIO)
    assert ("resource_link" in kinds) == (version in RESOURCE_LINK)
    assert len(kinds) == 3, "a lost content block is replaced by a text note, not dropped silently"
    if version not in RESOURCE_LINK:
        assert any("test://linked" in c.get("text", "") for c in rich["content"])
    if version in RESOURCE_LINK:
        link = next(c for c in rich["content"] if c["type"] == "resource_link")
        assert ("title" in link) == (version in TOOL_TITLE)
    assert "resultType" not in rich
    prompts = server.call(3, "prompts/list")["result"]["prompts"]
    assert ("title" in prompts[0]) == (version in TOOL_TITLE)
    server.finish()
    log = server.stderr()
    if version not in RESOURCE_LINK:
        assert "downgraded" in log and "ResourceLink" in log


def test_structured_content_survives_as_text_where_it_cannot_travel() -> None:
    server = Pipe()
    server.initialize("2025-03-26")
    echo = server.call(1, "tools/call", {"name": "echo", "arguments": {"text": "hi"}})["result"]
    assert echo == {"content": [{"type": "text", "text": "hi"}]}
    server.finish()


def test_modern_results_carry_envelope(pipe: Pipe) -> None:
    tools = pipe.call(1, "tools/list", {"_meta": modern_meta()})["result"]
    assert (
        tools["resultType"] == "complete"
        and tools["ttlMs"] == 0
        and tools["cacheScope"] == "private"
    )
    assert tools["_meta"]["io.modelcontextprotocol/serverInfo"] == {
        "name": "fixture",
        "version": "1.0.0",
    }
    discover = pipe.call(2, "server/discover", {"_meta": modern_meta()})["result"]
    assert discover["supportedVersions"][-1] == "2026-07-28"
    assert discover["capabilities"]["tools"] == {"listChanged": True}
    assert discover["instructions"] == "for tests"


def test_legacy_and_modern_share_one_stdio_process(pipe: Pipe) -> None:
    pipe.initialize("2024-11-05")
    legacy = pipe.call(1, "tools/call", {"name": "rich"})["result"]
    modern = pipe.call(2, "tools/call", {"name": "rich", "_meta": modern_meta()})["result"]
    assert "structuredContent" not in legacy and modern["structuredContent"] == {"ok": True}
    assert [c["type"] for c in modern["content"]] == ["text", "audio", "resource_link"]


def test_requests_before_initialize(pipe: Pipe) -> None:
    assert pipe.call(1, "ping")["result"] == {}
    refused = pipe.call(2, "tools/list")
    assert refused["error"]["code"] == -32602 and "initialize" in refused["error"]["message"]


def test_batches_only_at_2025_03_26() -> None:
    server = Pipe()
    server.initialize("2025-03-26")
    server.send(
        [
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "tools/call",
                "params": {"name": "echo", "arguments": {"text": "a"}},
            },
            {
                "jsonrpc": "2.0",
                "method": "notifications/progress",
                "params": {"progressToken": 1, "progress": 1},
            },
            {"jsonrpc": "2.0", "id": 2, "method": "nope"},
            {"jsonrpc": "2.0", "id": 3},
            {"jsonrpc": "2.0", "id": 4, "method": "ping"},
        ]
    )
    batch = server.receive()
    assert isinstance(batch, list)
    by_id = {m["id"]: m for m in batch}
    assert set(by_id) == {1, 2, 3, 4}
    assert by_id[1]["result"]["content"][0]["text"] == "a"
    assert by_id[2]["error"]["code"] == -32601 and by_id[3]["error"]["code"] == -32600
    server.send([])
    assert server.receive()["error"]["code"] == -32600
    server.finish()

    for version in ("2025-06-18", "2025-11-25"):
        other = Pipe()
        other.send([{"jsonrpc": "2.0", "id": 1, "method": "ping"}])
        assert other.receive()["error"]["code"] == -32600  # before initialize: no batches
        other.initialize(version)
        other.send([{"jsonrpc": "2.0", "id": 1, "method": "ping"}])
        refused = other.receive()
        assert refused["id"] is None and refused["error"]["code"] == -32600
        other.finish()


def test_set_level_and_subscribe_answer_empty_results(pipe: Pipe) -> None:
    pipe.initialize()
    assert pipe.call(1, "logging/setLevel", {"level": "debug"})["result"] == {}
    assert pipe.call(2, "logging/setLevel", {"level": "loud"})["error"]["code"] == -32602
    # the fixture has no resources: subscribe is not advertised
    assert pipe.call(3, "resources/subscribe", {"uri": "test://x"})["error"]["code"] == -32601
