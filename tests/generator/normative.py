"""The JSON Schema of a definition as the generator reads it, for property tests.

Starts from schema.json with the named overrides applied (so it agrees with schema.ts),
then makes two TS facts explicit that JSON Schema leaves implicit: an object with declared
properties and no ``additionalProperties`` is closed (a TS interface without an index
signature), and ``allOf`` parts are merged so closing them stays meaningful.
Recursive JSON-value definitions are cut at a shallow depth (hypothesis-jsonschema cannot
draw from recursive references).
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from mcp_foundry.ir.loader import revision_sources
from mcp_foundry.ir.overrides import apply_overrides

_SHALLOW_JSON = {
    "anyOf": [
        {"type": ["string", "number", "boolean", "null"]},
        {"type": "array", "items": {"type": ["string", "number", "boolean", "null"]}},
        {"type": "object", "additionalProperties": {"type": ["string", "number", "null"]}},
    ]
}
_RECURSIVE = ("JSONValue",)


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _normalise(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_normalise(n, defs) for n in node]
    if not isinstance(node, dict):
        return node
    if "allOf" in node:
        merged: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
        for part in node["allOf"]:
            part = defs[_ref_name(part["$ref"])] if "$ref" in part else part
            part = _normalise(part, defs)
            merged["properties"].update(part.get("properties", {}))
            merged["required"] = sorted({*merged["required"], *part.get("required", [])})
            if "additionalProperties" in part and part["additionalProperties"] is not False:
                merged["additionalProperties"] = part["additionalProperties"]
        node = {**{k: v for k, v in node.items() if k != "allOf"}, **merged}
    out = {}
    for key, value in node.items():
        if key == "properties":
            out[key] = {k: _normalise(v, defs) for k, v in value.items()}
        elif key in ("const", "enum", "default", "required", "examples"):
            out[key] = value
        else:
            out[key] = _normalise(value, defs)
    if out.get("type") == "object" and out.get("properties") and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


@cache
def _definitions(revision: str) -> dict[str, Any]:
    patched = apply_overrides(revision, revision_sources(revision).definitions).definitions
    defs = {k: _normalise(v, patched) for k, v in patched.items()}
    for recursive in _RECURSIVE:
        if recursive in defs:
            defs[recursive] = copy.deepcopy(_SHALLOW_JSON)
    return defs


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    """Replace every ``$ref`` by its target (the cut JSON-value definitions make this finite)."""
    if isinstance(node, list):
        return [_inline(n, defs) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = _inline(defs[_ref_name(node["$ref"])], defs)
        extra = {k: v for k, v in node.items() if k not in ("$ref", "description")}
        return {**target, **extra} if extra else target
    return {
        k: (v if k in ("const", "enum", "default", "required") else _inline(v, defs))
        for k, v in node.items()
        if k not in ("description", "title") or not isinstance(v, str)
    }


@cache
def normative_schema(revision: str, name: str) -> dict[str, Any]:
    """A standalone, reference-free schema for definition ``name`` of ``revision``."""
    defs = _definitions(revision)
    inlined: dict[str, Any] = _inline(defs[name], defs)
    return inlined
