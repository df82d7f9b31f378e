"""Every JSON-RPC and MCP error code the runtime emits, over a real stdio subprocess."""

from __future__ import annotations

import pytest
from rt_support import Pipe, modern_meta

pytestmark = pytest.mark.timeout(60)


def code(message: dict) -> int:
    assert "error" in message, message
    return message["error"]["code"]


def test_parse_error_has_null_id_and_server_keeps_going(pipe: Pipe) -> None:
    pipe.write(b'{"jsonrpc": "2.0", "id": 1, "method": \n')
    assert pipe.receive() == {"jsonrpc": "2.0", "id": None, "error": pipe.seen[-1]["error"]}
    assert code(pipe.seen[-1]) == -32700
    assert pipe.call(2, "ping")["result"] == {}


@pytest.mark.parametrize(
    "line, expected_id",
    [
        (b"[]", None),
        (b"42", None),
        (b'"text"', None),
        (b'{"id": 1, "method": "ping"}', 1),
        (b'{"jsonrpc": "1.0", "id": 2, "method": "ping"}', 2),
        (b'{"jsonrpc": "2.0", "id": null, "method": "ping"}', None),
        (b'{"jsonrpc": "2.0", "id": true, "method": "ping"}', None),
        (b'{"jsonrpc": "2.0", "id": [1], "method": "ping"}', None),
        (b'{"jsonrpc": "2.0", "id": 3, "method": 7}', 3),
        (b'{"jsonrpc": "2.0", "id": 4, "method": "ping", "params": [1, 2]}', 4),
        (b'{"jsonrpc": "2.0", "id": 5}', 5),
    ],
)
def test_invalid_requests(pipe: Pipe, line: bytes, expected_id: object) -> None:
    pipe.write(line + b"\n")
    answer = pipe.receive()
    assert code(answer) == -32600
    assert answer["id"] == expected_id


def test_unknown_method_and_methods_the_revision_lacks(pipe: Pipe) -> None:
    pipe.initialize("2024-11-05")
    assert code(pipe.call(1, "no/such/method")) == -32601
    # server/discover and subscriptions/listen exist only at 2026-07-28; elicitation/create
    # is a server→client request: none of them is callable on a 2024-11-05 session...
    assert code(pipe.call(2, "server/discover", {})) == -32601
    assert (
        code(pipe.call(3, "subscriptions/listen", {"notifications": {"toolsListChanged": True}}))
        == -32601
    )
    assert (
        code(
            pipe.call(
                4,
                "elicitation/create",
                {"message": "x", "requestedSchema": {"type": "object", "properties": {}}},
            )
        )
        == -32601
    )
    # ...while the same connection serves them to a modern request
    ok = pipe.call(5, "server/discover", {"_meta": modern_meta()})
    assert ok["result"]["resultType"] == "complete"


def test_modern_wire_refuses_methods_removed_in_2026(pipe: Pipe) -> None:
    for index, method in enumerate(
        ["ping", "initialize", "logging/setLevel", "resources/subscribe"]
    ):
        params = {
            "_meta": modern_meta(),
            "level": "info",
            "uri": "x",
            "protocolVersion": "2026-07-28",
        }
        assert code(pipe.call(index, method, params)) == -32601, method


def test_invalid_params_names_the_field(pipe: Pipe) -> None:
    pipe.initialize()
    answer = pipe.call(1, "tools/call", {"name": 42})
    assert code(answer) == -32602
    assert "params.name" in answer["error"]["message"]
    assert answer["error"]["data"]["errors"][0]["field"] == "params.name"
    nested = pipe.call(2, "tools/call", {"name": "echo", "arguments": "not an object"})
    assert code(nested) == -32602 and "params.arguments" in nested["error"]["message"]
    missing = pipe.call(3, "tools/call")
    assert code(missing) == -32602


def test_internal_error_leaks_no_traceback() -> None:
    server = Pipe()
    server.initialize()
    answer = server.call(1, "tools/call", {"name": "crash"})
    assert code(answer) == -32603
    assert "secret" not in str(answer) and "Traceback" not in str(answer)
    bad = server.call(2, "tools/call", {"name": "bad_result"})
    assert code(bad) == -32603
    server.finish()
    assert "secret internal detail" in server.stderr()  # logged for the operator, on stderr


def test_modern_meta_missing_fields_is_invalid_params(pipe: Pipe) -> None:
    no_caps = {"_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}, "name": "echo"}
    answer = pipe.call(1, "tools/call", no_caps)
    assert code(answer) == -32602 and "clientCapabilities" in answer["error"]["message"]
    bad_level = {
        "_meta": modern_meta(**{"io.modelcontextprotocol/logLevel": "loud"}),
        "name": "echo",
    }
    assert code(pipe.call(2, "tools/call", bad_level)) == -32602


def test_unsupported_version_lists_supported(pipe: Pipe) -> None:
    params = {"_meta": {**modern_meta(), "io.modelcontextprotocol/protocolVersion": "1900-01-01"}}
    answer = pipe.call(1, "server/discover", params)
    assert code(answer) == -32022
    assert answer["error"]["data"]["requested"] == "1900-01-01"
    supported = answer["error"]["data"]["supported"]
    discovered = pipe.call(2, "server/discover", {"_meta": modern_meta()})["result"][
        "supportedVersions"
    ]
    assert "2026-07-28" in supported and supported == discovered


def test_missing_client_capability_is_32021_with_object(pipe: Pipe) -> None:
    answer = pipe.call(1, "tools/call", {"name": "ask_name", "_meta": modern_meta()})
    assert code(answer) == -32021
    assert answer["error"]["data"]["requiredCapabilities"] == {"elicitation": {}}
    sample = pipe.call(2, "tools/call", {"name": "sample", "_meta": modern_meta()})
    assert sample["error"]["data"]["requiredCapabilities"] == {"sampling": {}}


def test_header_mismatch_is_checked_after_meta_and_before_version() -> None:
    """-32020 comes from the transport facts (HTTP header) the server core is given."""
    import anyio
    from mcp_foundry.runtime.transport import TransportFacts
    from rt_fixture_server import build

    server = build()

    async def sink(message: object, related: object) -> None:
        pass

    async def run() -> list[dict]:
        facts = TransportFacts(transport="http", protocol_version_header="2026-07-28")
        bogus = {"_meta": {**modern_meta(), "io.modelcontextprotocol/protocolVersion": "v999.0.0"}}
        mismatch = await server.handle_modern(
            {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": bogus}, sink, facts
        )
        no_meta = await server.handle_modern(
            {"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {}}, sink, facts
        )
        same = TransportFacts(transport="http", protocol_version_header="v999.0.0")
        unsupported = await server.handle_modern(
            {"jsonrpc": "2.0", "id": 3, "method": "tools/list", "params": bogus}, sink, same
        )
        return [mismatch, no_meta, unsupported]

    mismatch, no_meta, unsupported = anyio.run(run)
    assert code(mismatch) == -32020 and mismatch["id"] == 1
    assert code(no_meta) == -32602
    assert code(unsupported) == -32022


def test_duplicate_in_flight_id_is_refused(pipe: Pipe) -> None:
    pipe.initialize()
    pipe.request(7, "tools/call", {"name": "slow", "arguments": {"seconds": 1}})
    pipe.request(7, "ping")
    first = pipe.receive()
    assert first["id"] == 7 and code(first) == -32600
    assert pipe.answer(7)["result"]["content"][0]["text"] == "slow done"
