"""Every revision of the manifest generates, imports and honours the bindings contract."""

from __future__ import annotations

import inspect
import subprocess
import sys

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


BUILT_AT_IMPORT = """
import importlib, sys, pydantic
package = importlib.import_module(sys.argv[1].rpartition(".")[0])
assert [m for m in sys.modules if m.startswith(package.__name__ + "._")] == [], "eager models"
models = importlib.import_module(sys.argv[1])
loaded = {name: getattr(models, name) for name in models.__all__}
assert sorted(loaded) == sorted(set(dir(models)) & set(loaded))
print(sorted(
    name
    for name, value in loaded.items()
    if isinstance(value, type)
    and issubclass(value, pydantic.BaseModel)
    and value.__module__.startswith(package.__name__ + "._")
    and value.__pydantic_complete__
))
"""


def test_importing_models_builds_no_validator(revision: str) -> None:
    """Loading a revision's bindings creates no model class (each is loaded on first use)
    and loading every model builds no validator: each defers it to first use (cold start,
    issue #15); only the generic root base is complete, being built with nothing to build.
    Checked in a fresh process: tests here validate, which builds."""
    module = f"{generated.module_name(revision)}.models"
    done = subprocess.run(
        [sys.executable, "-c", BUILT_AT_IMPORT, module], capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode().strip() == "['MCPRootModel']"


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
