"""Every revision of the manifest generates, imports and honours the bindings contract."""

from __future__ import annotations

import inspect

import pydantic
import pytest
from mcp_foundry import generated
from mcp_foundry.bindings import MethodNotImplemented, RevisionBindings
from mcp_foundry.commands.generate import render_revision
from mcp_foundry.sources import registry


def test_every_revision_is_generated() -> None:
    assert generated.available() == list(registry.names())


def test_bindings_contract(revision: str, bindings: RevisionBindings) -> None:
    assert bindings.revision == revision
    assert bindings.jsonrpc_version == "2.0"
    assert bindings.era == registry.era_of(revision)
    assert bindings.batching == (revision == "2025-03-26")
    assert bindings.error_codes["METHOD_NOT_FOUND"] == -32601
    for name, spec in bindings.methods.items():
        assert spec.method == name
        for model in (spec.message, spec.params, spec.result, *spec.alt_results):
            assert model is None or issubclass(model, pydantic.BaseModel), (name, model)
        assert spec.handler.isidentifier()


def test_2026_call_tool_round_trip() -> None:
    models = generated.load("2026-07-28").models
    wire = {
        "jsonrpc": "2.0",
        "id": 7,
        "method": "tools/call",
        "params": {
            "_meta": {
                "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientCapabilities": {},
                "com.example/trace": "abc",
            },
            "name": "echo",
            "arguments": {"text": "hi", "n": 3},
        },
    }
    request = models.CallToolRequest.model_validate(wire)
    assert request.params.name == "echo"
    assert request.params.meta.protocol_version == "2026-07-28"
    assert request.model_dump(mode="json", by_alias=True, exclude_unset=True) == wire
    result = models.CallToolResult(content=[models.TextContent(text="hi")], result_type="complete")
    assert result.model_dump(mode="json", by_alias=True, exclude_unset=True) == {
        "content": [{"type": "text", "text": "hi"}],
        "resultType": "complete",
    }


def test_discriminated_content_rejects_wrong_tag() -> None:
    models = generated.load("2026-07-28").models
    with pytest.raises(pydantic.ValidationError):
        models.CallToolResult.model_validate(
            {"resultType": "complete", "content": [{"type": "nope", "text": "x"}]}
        )


def test_method_table_2026() -> None:
    methods = generated.load("2026-07-28").methods
    call = methods["tools/call"]
    models = generated.load("2026-07-28").models
    assert call.params is models.CallToolRequestParams
    assert call.result is models.CallToolResult
    assert call.alt_results == (models.InputRequiredResult,)
    assert call.direction == "client_to_server"
    assert call.capability is not None and call.capability.path == ("tools",)
    assert methods["elicitation/create"].input_only
    assert not methods["tools/call"].input_only
    assert methods["server/discover"].result is models.DiscoverResult


def test_handlers_default_to_not_implemented() -> None:
    from mcp_foundry.generated.rev_2025_11_25 import handlers

    assert "tools/call" not in handlers.SERVER_REQUIRED
    assert "initialize" in handlers.SERVER_REQUIRED
    signature = inspect.signature(handlers.ServerHandlers.tools_call)
    assert list(signature.parameters) == ["self", "params", "ctx"]
    coroutine = handlers.ServerHandlers().tools_call(None, None)  # type: ignore[arg-type]
    with pytest.raises(MethodNotImplemented) as caught:
        coroutine.send(None)
    assert caught.value.method == "tools/call"


def test_generated_tree_is_current(revision: str) -> None:
    from pathlib import Path

    folder = Path(generated.__file__).parent / generated.package_name(revision)
    for name, content in render_revision(revision).items():
        assert (folder / name).read_text(encoding="utf-8") == content, (
            f"{folder / name} is stale: run `mcp-foundry generate`"
        )
