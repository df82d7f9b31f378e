"""The 2026-07-28 routing-header rules, straight from the transport page's tables."""

from __future__ import annotations

import pytest
from mcp_foundry.runtime.http.headers import (
    HeaderMismatch,
    InvalidHeaderAnnotation,
    ParamHeader,
    check_routing_headers,
    decode_value,
    encode_value,
    param_headers,
    request_headers,
)

SPEC_EXAMPLES = [
    ("us-west1", "us-west1"),
    ("Hello, 世界", "=?base64?SGVsbG8sIOS4lueVjA==?="),
    (" padded ", "=?base64?IHBhZGRlZCA=?="),
    ("line1\nline2", "=?base64?bGluZTEKbGluZTI=?="),
    ("=?base64?literal?=", "=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?="),
]


@pytest.mark.parametrize(("original", "encoded"), SPEC_EXAMPLES)
def test_value_encoding_matches_the_spec_table(original: str, encoded: str) -> None:
    assert encode_value(original) == encoded
    assert decode_value(encoded, "mcp-param-x") == original


@pytest.mark.parametrize("bad", ["=?base64?SGVsbG8?=", "=?base64?SGVs!!!bG8=?="])
def test_strict_base64_rejects_bad_padding_and_alphabet(bad: str) -> None:
    with pytest.raises(HeaderMismatch):
        decode_value(bad, "mcp-param-x")


@pytest.mark.parametrize("literal", ["SGVsbG8=", "=?base64?SGVsbG8=", "SGVsbG8=?="])
def test_incomplete_sentinel_is_literal(literal: str) -> None:
    assert decode_value(literal, "mcp-param-x") == literal


def test_surrounding_whitespace_is_stripped_but_control_characters_rejected() -> None:
    assert decode_value("  test_simple_text \t", "mcp-name") == "test_simple_text"
    with pytest.raises(HeaderMismatch, match="invalid characters"):
        decode_value("a\x01b", "mcp-name")
    with pytest.raises(HeaderMismatch, match="invalid characters"):
        decode_value("caf\xe9", "mcp-name")


def _call(name: str = "greet", **arguments: object) -> dict[str, object]:
    return {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": name, "arguments": arguments},
    }


def test_method_header_is_required_and_case_sensitive() -> None:
    with pytest.raises(HeaderMismatch, match="Missing required Mcp-Method"):
        check_routing_headers({"mcp-name": "greet"}, _call())
    with pytest.raises(HeaderMismatch, match="does not match"):
        check_routing_headers({"mcp-method": "TOOLS/CALL", "mcp-name": "greet"}, _call())
    check_routing_headers({"mcp-method": " tools/call ", "mcp-name": "greet"}, _call())


@pytest.mark.parametrize(
    ("method", "params", "value"),
    [
        ("tools/call", {"name": "t"}, "t"),
        ("prompts/get", {"name": "p"}, "p"),
        ("resources/read", {"uri": "file:///a b"}, "file:///a b"),
        ("tasks/get", {"taskId": "abc"}, "abc"),
        ("tasks/update", {"taskId": "abc", "inputResponses": {}}, "abc"),
        ("tasks/cancel", {"taskId": "abc"}, "abc"),
    ],
)
def test_name_header_mirrors_the_right_field(
    method: str, params: dict[str, object], value: str
) -> None:
    message = {"jsonrpc": "2.0", "id": 3, "method": method, "params": params}
    check_routing_headers({"mcp-method": method, "mcp-name": encode_value(value)}, message)
    with pytest.raises(HeaderMismatch, match="Missing required Mcp-Name"):
        check_routing_headers({"mcp-method": method}, message)
    with pytest.raises(HeaderMismatch, match="does not match"):
        check_routing_headers({"mcp-method": method, "mcp-name": "other"}, message)


def test_methods_without_a_name_need_no_name_header() -> None:
    check_routing_headers(
        {"mcp-method": "tools/list"},
        {"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
    )


SCHEMA = {
    "type": "object",
    "properties": {
        "region": {"type": "string", "x-mcp-header": "Region"},
        "count": {"type": "integer", "x-mcp-header": "Count"},
        "dry": {"type": "boolean", "x-mcp-header": "Dry-Run"},
        "nested": {
            "type": "object",
            "properties": {"tenant": {"type": "string", "x-mcp-header": "Tenant"}},
        },
        "query": {"type": "string"},
    },
}


def test_param_headers_follow_properties_chains() -> None:
    found = param_headers(SCHEMA)
    assert [(p.name, p.path) for p in found] == [
        ("Region", ("region",)),
        ("Count", ("count",)),
        ("Dry-Run", ("dry",)),
        ("Tenant", ("nested", "tenant")),
    ]


@pytest.mark.parametrize(
    "schema",
    [
        {"properties": {"a": {"type": "number", "x-mcp-header": "A"}}},
        {"properties": {"a": {"type": "string", "x-mcp-header": "bad name"}}},
        {"properties": {"a": {"type": "string", "x-mcp-header": ""}}},
        {
            "properties": {
                "a": {"type": "string", "x-mcp-header": "A"},
                "b": {"type": "string", "x-mcp-header": "a"},
            }
        },
        {"properties": {"a": {"type": "array", "items": {"type": "string", "x-mcp-header": "A"}}}},
        {"anyOf": [{"properties": {"a": {"type": "string", "x-mcp-header": "A"}}}]},
        {"properties": {"a": {"$ref": "#/$defs/x", "x-mcp-header": "A"}}},
    ],
)
def test_invalid_annotations_are_rejected(schema: dict[str, object]) -> None:
    with pytest.raises(InvalidHeaderAnnotation):
        param_headers(schema)


def test_param_headers_round_trip_between_client_and_server() -> None:
    found = param_headers(SCHEMA)
    message = _call("sql", region="Hello, 世界", count=42, dry=False, nested={"tenant": " t "})
    sent = request_headers(message, found)
    assert sent["Mcp-Param-Region"] == "=?base64?SGVsbG8sIOS4lueVjA==?="
    assert sent["Mcp-Param-Count"] == "42"
    assert sent["Mcp-Param-Dry-Run"] == "false"
    received = {k.lower(): v for k, v in sent.items()}
    check_routing_headers(received, message, found)


def test_param_header_rules_on_the_server() -> None:
    found = param_headers(SCHEMA)
    base = {"mcp-method": "tools/call", "mcp-name": "sql"}
    check_routing_headers(base, _call("sql", query="x"), found)  # absent values need no header
    check_routing_headers(
        {**base, "mcp-param-count": "42.0"}, _call("sql", count=42), found
    )  # numeric
    with pytest.raises(HeaderMismatch, match="Missing required Mcp-Param-Region"):
        check_routing_headers(base, _call("sql", region="eu"), found)
    with pytest.raises(HeaderMismatch, match="does not match"):
        check_routing_headers({**base, "mcp-param-region": "us"}, _call("sql", region="eu"), found)
    with pytest.raises(HeaderMismatch, match="does not match"):
        check_routing_headers(
            {**base, "mcp-param-dry-run": "False"}, _call("sql", dry=False), found
        )
    with pytest.raises(HeaderMismatch, match="not valid base64"):
        check_routing_headers(
            {**base, "mcp-param-region": "=?base64?ZXU?="},
            _call("sql", region="eu"),
            found,
        )


def test_param_header_value_lookup() -> None:
    header = ParamHeader("Tenant", ("nested", "tenant"))
    assert header.header == "mcp-param-tenant"
    assert header.value_in({"nested": {"tenant": "x"}}) == "x"
    assert header.value_in({"nested": "flat"}) is None
    assert header.value_in(None) is None
