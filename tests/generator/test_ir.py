"""The IR: what it takes from schema.ts that schema.json loses, and its public entry point."""

from __future__ import annotations

import pytest
from mcp_foundry.ir import RevisionIR, load_revision
from mcp_foundry.ir.loader import revision_sources
from mcp_foundry.ir.model import Enum, Primitive, Ref, Union_
from mcp_foundry.ir.source import schema_dir
from mcp_foundry.ir.typescript import TsSyntaxError, parse_jsdoc, parse_typescript


def test_every_schema_ts_parses_cleanly(revision: str) -> None:
    module = parse_typescript((schema_dir(revision) / "schema.ts").read_bytes())
    assert len(module.declarations) > 70
    assert module.constants["JSONRPC_VERSION"] == "2.0"
    assert module.constants["METHOD_NOT_FOUND"] == -32601


def test_broken_typescript_is_rejected() -> None:
    with pytest.raises(TsSyntaxError):
        parse_typescript(b"export interface Broken { a: ; ")


def test_jsdoc_tags() -> None:
    doc = parse_jsdoc(
        "/**\n * Prose line.\n *\n * @deprecated Since X.\n * Really.\n *\n"
        " * @category `tools/call`\n * @internal\n */"
    )
    assert doc.text == "Prose line."
    assert doc.deprecated == "Since X.\nReally."
    assert doc.category == "`tools/call`"
    assert doc.internal


def test_ir_keeps_what_schema_json_loses() -> None:
    ir = load_revision("2026-07-28")
    assert isinstance(ir, RevisionIR)
    error = ir.definitions["MissingRequiredClientCapabilityError"]
    assert error.bases == ("JSONRPCErrorResponse",) and error.omitted == ("error",)
    assert error.category == "Errors"
    assert ir.definitions["ResultType"].alias == Enum(("complete", "input_required"), open=True)
    assert ir.definitions["Request"].internal
    assert ir.definitions["ListToolsResult"].extra == "allow"  # inherited index signature
    assert ir.definitions["TextContent"].extra == "ignore"
    log_level = ir.definitions["RequestMetaObject"].property("io.modelcontextprotocol/logLevel")
    assert log_level is not None and log_level.deprecated and log_level.py_name == "log_level"
    assert "{@link" not in ir.definitions["CallToolResult"].doc
    assert ir.latest_protocol_version == "2026-07-28" and ir.era == "modern"


def test_overrides_are_recorded_and_applied() -> None:
    ir = load_revision("2025-11-25")
    names = {(o.name, o.target) for o in ir.overrides}
    assert ("number-rendered-as-integer", "RequestId") in names
    assert ir.definitions["RequestId"].alias == Union_((Primitive("string"), Primitive("number")))
    raw = revision_sources("2025-11-25").definitions["RequestId"]
    assert raw["type"] == ["string", "integer"], "sources stay untouched"


def test_inline_objects_are_named_after_their_parent() -> None:
    ir = load_revision("2024-11-05")
    params = ir.definitions["CallToolRequestParams"]
    assert params.parent == "CallToolRequest.params"
    call = ir.definitions["CallToolRequest"].property("params")
    assert call is not None and call.type == Ref("CallToolRequestParams")
