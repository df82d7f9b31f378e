"""Hypothesis strategies drawing documents valid against an MCP JSON Schema.

hypothesis-jsonschema cannot serve here: 0.23.1 relies on a hypothesis internal
(``many.more``) that hypothesis 6.170.10 removed, and even on older hypothesis it takes
minutes per 2026-07-28 request definition (it re-canonicalises nested schemas at every
draw). The MCP schemas use a small keyword set (surveyed: type, properties, required,
additionalProperties, items, maxItems, anyOf/oneOf, const, enum, minimum/maximum,
format, $ref), so this builder covers exactly that and fails loudly on anything else.
Strategies are built once per schema node; sizes are kept small.
"""

from __future__ import annotations

import base64
from typing import Any

from hypothesis import strategies as st

_KNOWN = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "maxItems",
        "anyOf",
        "oneOf",
        "const",
        "enum",
        "minimum",
        "maximum",
        "format",
        "description",
        "title",
        "default",
        "$schema",
        "examples",
    }
)
_KEYS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_./-", min_size=1, max_size=8)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.text(max_size=6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
)


def from_schema(schema: Any) -> st.SearchStrategy[Any]:
    if schema is True or schema == {}:
        return _SCALARS
    unknown = set(schema) - _KNOWN
    if unknown:
        raise NotImplementedError(f"schema keywords {sorted(unknown)} not supported")
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    options = schema.get("anyOf") or schema.get("oneOf")
    if options is not None:
        base = {k: v for k, v in schema.items() if k not in ("anyOf", "oneOf")}
        return st.one_of([from_schema({**base, **option}) for option in options])
    kind = schema.get("type")
    if isinstance(kind, list):
        return st.one_of([from_schema({**schema, "type": k}) for k in kind])
    if kind == "string":
        if schema.get("format") == "byte":
            return st.binary(max_size=24).map(lambda b: base64.b64encode(b).decode())
        return st.text(max_size=8)
    if kind == "integer":
        return st.integers(_bound(schema, "minimum", -(10**9)), _bound(schema, "maximum", 10**9))
    if kind == "number":
        low, high = _bound(schema, "minimum", -1e9), _bound(schema, "maximum", 1e9)
        return st.one_of(
            st.integers(int(low), int(high)),
            st.floats(low, high, allow_nan=False, allow_infinity=False),
        )
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        return st.lists(
            from_schema(schema.get("items", {})), max_size=min(schema.get("maxItems", 2), 2)
        )
    if kind == "object" or kind is None:
        return _object(schema)
    raise NotImplementedError(f"schema type {kind!r} not supported")


def _bound(schema: dict[str, Any], key: str, default: Any) -> Any:
    return schema.get(key, default)


def _object(schema: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    properties: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", ()))
    fixed = {k: from_schema(v) for k, v in properties.items() if k in required}
    optional = {k: from_schema(v) for k, v in properties.items() if k not in required}
    additional = schema.get("additionalProperties", {})
    extra: st.SearchStrategy[dict[str, Any]] = st.just({})
    if additional is not False:
        values = from_schema(additional if isinstance(additional, dict) else {})
        keys = _KEYS.filter(lambda k: k not in properties)
        extra = st.dictionaries(keys, values, max_size=1)
    return st.builds(
        lambda e, f: {**e, **f}, extra, st.fixed_dictionaries(fixed, optional=optional)
    )
