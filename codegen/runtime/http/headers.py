"""The 2026-07-28 routing headers: ``Mcp-Method``, ``Mcp-Name`` and ``Mcp-Param-*``.

Streamable HTTP mirrors body fields into headers so intermediaries can route without
parsing JSON. The body stays the source of truth, so a server must reject any header
that disagrees with it (HTTP 400, JSON-RPC ``-32020``), and a client must derive the
headers from the body exactly the way the server will check them. Both directions live
here so the two can never drift apart.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

SENTINEL_PREFIX = "=?base64?"
SENTINEL_SUFFIX = "?="

METHOD_HEADER = "mcp-method"
NAME_HEADER = "mcp-name"
PARAM_HEADER_PREFIX = "mcp-param-"

NAME_SOURCES: Mapping[str, str] = {
    "tools/call": "name",
    "prompts/get": "name",
    "resources/read": "uri",
    "tasks/get": "taskId",
    "tasks/update": "taskId",
    "tasks/cancel": "taskId",
}
"""Which ``params`` field each name-carrying method mirrors into ``Mcp-Name``."""

_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_SAFE_VALUE = re.compile(r"^[\x20-\x7e\t]*$")
_PLAIN_VALUE = re.compile(r"(?!=\?base64\?)[\x21-\x7e](?:[\x20-\x7e\t]*[\x21-\x7e])?\Z")
"""A value :func:`decode_value` returns unchanged: safe, no outer whitespace, no sentinel
prefix (values with one take the long way, whether or not they are sentinels)."""
_MAX_SAFE_INTEGER = 2**53 - 1


class HeaderMismatch(ValueError):
    """A routing header is missing, malformed, or disagrees with the body (``-32020``)."""


class InvalidHeaderAnnotation(ValueError):
    """A tool's ``x-mcp-header`` annotations break the spec's constraints."""


# --- value encoding -----------------------------------------------------------------


def _is_sentinel(value: str) -> bool:
    return (
        len(value) >= len(SENTINEL_PREFIX) + len(SENTINEL_SUFFIX)
        and value.startswith(SENTINEL_PREFIX)
        and value.endswith(SENTINEL_SUFFIX)
    )


def encode_value(value: str) -> str:
    """Encode one header value, falling back to the Base64 sentinel when plain is unsafe."""
    plain_ok = (
        value.isascii()
        and _SAFE_VALUE.match(value) is not None
        and "\t" not in value
        and value == value.strip(" ")
        and not _is_sentinel(value)
    )
    if plain_ok:
        return value
    encoded = base64.b64encode(value.encode("utf-8")).decode("ascii")
    return f"{SENTINEL_PREFIX}{encoded}{SENTINEL_SUFFIX}"


def decode_value(raw: str, header: str) -> str:
    """Strip optional whitespace and decode a sentinel value strictly.

    A value without the complete prefix *and* suffix is literal. Inside the sentinel,
    bad padding or characters outside the Base64 alphabet are a mismatch, as is a
    payload that is not UTF-8.
    """
    value = raw.strip(" \t")
    if _SAFE_VALUE.match(value) is None:
        raise HeaderMismatch(f"{_display(header)} header contains invalid characters")
    if not _is_sentinel(value):
        return value
    payload = value[len(SENTINEL_PREFIX) : -len(SENTINEL_SUFFIX)]
    try:
        return base64.b64decode(payload, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise HeaderMismatch(f"{_display(header)} header is not valid base64: {value!r}") from None


def wire_string(value: Any) -> str | None:
    """The header form of a body value: strings as-is, integers in decimal, booleans lowercase."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return None


def _values_equal(header_value: str, body_value: Any) -> bool:
    if isinstance(body_value, bool):
        return header_value == ("true" if body_value else "false")
    if isinstance(body_value, (int, float)):
        try:
            return Decimal(header_value) == Decimal(str(body_value))
        except InvalidOperation:
            return False
    return isinstance(body_value, str) and header_value == body_value


def _display(header: str) -> str:
    return "-".join(part.capitalize() for part in header.split("-"))


# --- x-mcp-header annotations -------------------------------------------------------


class ParamHeader(NamedTuple):
    """One ``x-mcp-header`` annotation: header ``Mcp-Param-<name>`` mirrors ``path`` (a
    named tuple: a frozen dataclass's generated methods are compiled at server start)."""

    name: str
    path: tuple[str, ...]

    @property
    def header(self) -> str:
        """The lower-cased header name as ASGI delivers it."""
        return PARAM_HEADER_PREFIX + self.name.lower()

    def value_in(self, arguments: Any) -> Any:
        """The argument at this annotation's property path, or ``None`` when absent."""
        node = arguments
        for key in self.path:
            if not isinstance(node, Mapping) or key not in node:
                return None
            node = node[key]
        return node


_COMPOSITION_KEYS = (
    "items",
    "prefixItems",
    "additionalProperties",
    "patternProperties",
)
_BRANCH_KEYS = (
    "oneOf",
    "anyOf",
    "allOf",
    "not",
    "if",
    "then",
    "else",
    "$defs",
    "definitions",
)


def param_headers(input_schema: Mapping[str, Any]) -> tuple[ParamHeader, ...]:
    """Collect a tool's ``x-mcp-header`` annotations, enforcing every spec constraint.

    Raises :class:`InvalidHeaderAnnotation` naming the first violation; a client then
    drops the tool from ``tools/list`` instead of sending unverifiable headers.
    """
    found: list[ParamHeader] = []
    _walk_properties(input_schema, (), found)
    if "x-mcp-header" in input_schema:
        raise InvalidHeaderAnnotation("x-mcp-header on the schema root")
    seen: set[str] = set()
    for item in found:
        if item.name.lower() in seen:
            raise InvalidHeaderAnnotation(f"duplicate x-mcp-header {item.name!r}")
        seen.add(item.name.lower())
    return tuple(found)


def _walk_properties(
    schema: Mapping[str, Any], path: tuple[str, ...], found: list[ParamHeader]
) -> None:
    for key in (*_COMPOSITION_KEYS, *_BRANCH_KEYS):
        if key in schema and _mentions_annotation(schema[key]):
            raise InvalidHeaderAnnotation(
                f"x-mcp-header under {key!r} at {'/'.join(path) or 'root'}"
            )
    properties = schema.get("properties")
    if not isinstance(properties, Mapping):
        return
    for prop_name, prop in properties.items():
        if not isinstance(prop, Mapping):
            continue
        prop_path = (*path, str(prop_name))
        if "x-mcp-header" in prop:
            found.append(_annotation(prop, prop_path))
        _walk_properties(prop, prop_path, found)


def _annotation(prop: Mapping[str, Any], path: tuple[str, ...]) -> ParamHeader:
    name = prop["x-mcp-header"]
    where = "/".join(path)
    if not isinstance(name, str) or not _TOKEN.match(name):
        raise InvalidHeaderAnnotation(f"x-mcp-header {name!r} at {where} is not an HTTP token")
    if "$ref" in prop:
        raise InvalidHeaderAnnotation(f"x-mcp-header at {where} sits beside $ref")
    kind = prop.get("type")
    if kind not in ("string", "integer", "boolean"):
        raise InvalidHeaderAnnotation(
            f"x-mcp-header at {where} needs type string, integer or boolean, not {kind!r}"
        )
    return ParamHeader(name=name, path=path)


def _mentions_annotation(node: Any) -> bool:
    if isinstance(node, Mapping):
        return "x-mcp-header" in node or any(_mentions_annotation(v) for v in node.values())
    if isinstance(node, list):
        return any(_mentions_annotation(v) for v in node)
    return False


# --- client side -------------------------------------------------------------------


def request_headers(
    message: Mapping[str, Any], tool_headers: Sequence[ParamHeader] = ()
) -> dict[str, str]:
    """The routing headers a client sends with one modern request or notification."""
    method = message.get("method")
    if not isinstance(method, str):
        return {}
    headers = {"Mcp-Method": method}
    params = message.get("params")
    if not isinstance(params, Mapping):
        return headers
    source = NAME_SOURCES.get(method)
    if source is not None:
        name = wire_string(params.get(source))
        if name is not None:
            headers["Mcp-Name"] = encode_value(name)
    arguments = params.get("arguments")
    for item in tool_headers:
        value = wire_string(item.value_in(arguments))
        if value is not None:
            headers[f"Mcp-Param-{item.name}"] = encode_value(value)
    return headers


def safe_integer(value: Any) -> bool:
    """Integers mirrored into headers must survive a JavaScript round trip."""
    return isinstance(value, int) and -_MAX_SAFE_INTEGER <= value <= _MAX_SAFE_INTEGER


# --- server side -------------------------------------------------------------------


def check_routing_headers(
    headers: Mapping[str, str],
    message: Mapping[str, Any],
    tool_headers: Sequence[ParamHeader] = (),
) -> None:
    """Reject a modern request whose routing headers disagree with its body.

    ``headers`` maps lower-cased header names to raw values. ``tool_headers`` are the
    annotations of the called tool (empty for other methods or unknown tools).
    """
    method = message.get("method")
    raw_method = headers.get(METHOD_HEADER)
    if raw_method is None:
        raise HeaderMismatch("Missing required Mcp-Method header")
    header_method = raw_method.strip(" \t")
    if header_method != method:
        raise HeaderMismatch(
            f"Header mismatch: Mcp-Method header value {header_method!r} "
            f"does not match body value {method!r}"
        )
    params = message.get("params")
    params = params if isinstance(params, dict) else {}  # decoded JSON: a dict or not
    source = NAME_SOURCES.get(str(method))
    if source is not None:
        _check_one(headers.get(NAME_HEADER), params.get(source), NAME_HEADER)
    if not tool_headers:
        return
    arguments = params.get("arguments")
    for item in tool_headers:
        _check_one(headers.get(item.header), item.value_in(arguments), item.header)


def _check_one(raw: str | None, body_value: Any, header: str) -> None:
    if raw == body_value and type(raw) is str and _PLAIN_VALUE.match(raw) is not None:
        return  # the common case: the body's string sent as is (decoding would keep it)
    if body_value is None:
        if raw is not None:
            raise HeaderMismatch(f"{_display(header)} header has no counterpart in the body")
        return
    if raw is None:
        raise HeaderMismatch(f"Missing required {_display(header)} header")
    decoded = decode_value(raw, header)
    if not _values_equal(decoded, body_value):
        raise HeaderMismatch(
            f"Header mismatch: {_display(header)} header value {decoded!r} "
            f"does not match body value {body_value!r}"
        )
