"""Derive a future upstream revision from the newest one, with one edit of each kind a
release makes, as upstream would publish it (schema.ts and schema.json side by side).

The edits, and what ``diff`` must report for them (nothing else):

- a new request ``tools/validate`` (ValidateToolRequest, its params and result);
- an added optional field ``CallToolResult.durationMs``;
- a removed field ``ToolAnnotations.openWorldHint``;
- ``LATEST_PROTOCOL_VERSION`` changed to the new revision;
- a defect upstream fixed: ``ListToolsResult.ttlMs`` rendered as ``number`` in schema.json,
  as schema.ts declares it (the override keyed ``since`` the newest revision must say so
  in one line and change nothing in the IR).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

NEW_METHOD = "tools/validate"
ADDED = ("CallToolResult", "durationMs")
REMOVED = ("ToolAnnotations", "openWorldHint")
FIXED = ("ListToolsResult", "ttlMs")
NEW_DEFINITIONS = ("ValidateToolRequest", "ValidateToolRequestParams", "ValidateToolResult")

_TS_ADDED = """
/**
 * Parameters for a `tools/validate` request.
 *
 * @category `tools/validate`
 */
export interface ValidateToolRequestParams extends RequestParams {
  /**
   * The name of the tool.
   */
  name: string;
  /**
   * Arguments to check, as they would be passed to `tools/call`.
   */
  arguments?: { [key: string]: unknown };
}

/**
 * Asks the server whether a tool call would be accepted, without running the tool.
 *
 * @category `tools/validate`
 */
export interface ValidateToolRequest extends JSONRPCRequest {
  method: "tools/validate";
  params: ValidateToolRequestParams;
}

/**
 * The result returned by the server for a `tools/validate` request.
 *
 * @category `tools/validate`
 */
export interface ValidateToolResult extends Result {
  /**
   * Whether the arguments are valid for the tool.
   */
  valid: boolean;
}
"""

_TS_DURATION = """
  /**
   * How long the tool call took, in milliseconds.
   */
  durationMs?: number;
"""


def _sub_once(pattern: str, replacement: str | Callable[[re.Match[str]], str], text: str) -> str:
    """``re.sub`` that must match exactly once (the fixture fails loudly if upstream moved)."""
    result, count = re.subn(pattern, replacement, text, count=0, flags=re.DOTALL)
    assert count == 1, f"expected one match of {pattern!r}, found {count}"
    return result


def derive_ts(text: str, old: str, new: str) -> str:
    text = _sub_once(
        rf'export const LATEST_PROTOCOL_VERSION = "{old}";',
        f'export const LATEST_PROTOCOL_VERSION = "{new}";',
        text,
    )
    text = _sub_once(
        r"(export interface CallToolResult extends Result \{\n)",
        lambda m: m.group(1) + _TS_DURATION,
        text,
    )
    text = _sub_once(
        r"\n  /\*\*\n   \* If true, this tool may interact with an \"open world\".*?"
        r"openWorldHint\?: boolean;\n",
        "\n",
        text,
    )
    text = _sub_once(
        r"(export interface CallToolRequest extends JSONRPCRequest \{.*?\n\}\n)",
        lambda m: m.group(1) + _TS_ADDED,
        text,
    )
    text = _sub_once(r"(export type ClientRequest =\n)", r"\1  | ValidateToolRequest\n", text)
    return _sub_once(r"(export type ServerResult =\n)", r"\1  | ValidateToolResult\n", text)


def derive_json(schema: dict[str, Any]) -> dict[str, Any]:
    defs = schema["$defs"]
    ref = "#/$defs/"
    defs["ValidateToolRequestParams"] = {
        "description": "Parameters for a `tools/validate` request.",
        "properties": {
            "_meta": {"$ref": f"{ref}RequestMetaObject"},
            "arguments": {
                "additionalProperties": {},
                "description": "Arguments to check, as they would be passed to `tools/call`.",
                "type": "object",
            },
            "name": {"description": "The name of the tool.", "type": "string"},
        },
        "required": ["_meta", "name"],
        "type": "object",
    }
    defs["ValidateToolRequest"] = {
        "description": "Asks the server whether a tool call would be accepted, without "
        "running the tool.",
        "properties": {
            "id": {"$ref": f"{ref}RequestId"},
            "jsonrpc": {"const": "2.0", "type": "string"},
            "method": {"const": NEW_METHOD, "type": "string"},
            "params": {"$ref": f"{ref}ValidateToolRequestParams"},
        },
        "required": ["id", "jsonrpc", "method", "params"],
        "type": "object",
    }
    base = defs["Result"]
    defs["ValidateToolResult"] = {
        "additionalProperties": {},
        "description": "The result returned by the server for a `tools/validate` request.",
        "properties": {
            **base["properties"],
            "valid": {
                "description": "Whether the arguments are valid for the tool.",
                "type": "boolean",
            },
        },
        "required": [*base["required"], "valid"],
        "type": "object",
    }
    defs["ClientRequest"]["anyOf"].append({"$ref": f"{ref}ValidateToolRequest"})
    defs["ServerResult"]["anyOf"].append({"$ref": f"{ref}ValidateToolResult"})
    definition, field = ADDED
    defs[definition]["properties"][field] = {
        "description": "How long the tool call took, in milliseconds.",
        "type": "number",
    }
    definition, field = REMOVED
    del defs[definition]["properties"][field]
    definition, field = FIXED
    fixed = defs[definition]["properties"][field]
    assert fixed["type"] == "integer", "the defect this fixture fixes is gone upstream"
    fixed["type"] = "number"
    return schema


def derive_revision(source: Path, target: Path, old: str, new: str) -> None:
    """Write ``target/schema.ts`` and ``target/schema.json`` derived from ``source``."""
    target.mkdir(parents=True)
    ts = (source / "schema.ts").read_text(encoding="utf-8")
    (target / "schema.ts").write_text(derive_ts(ts, old, new), encoding="utf-8")
    schema = json.loads((source / "schema.json").read_text(encoding="utf-8"))
    (target / "schema.json").write_text(
        json.dumps(derive_json(schema), indent=2) + "\n", encoding="utf-8"
    )
