"""The validated intermediate representation of one protocol revision.

Built once per revision from schema.ts and schema.json together (see
:func:`mcp_foundry.ir.load_revision`) and read by every emitter and by ``mcp-foundry diff``.
It is plain, frozen data: no emitter needs to know which source a fact came from, and two
revisions can be compared field by field.

Types are a small closed algebra (:data:`TypeRef`). Every object shape that Python needs a
class for is a named :class:`Definition`; inline objects of the schema are hoisted and
named after their parent (``CallToolRequest.params`` → ``CallToolRequestParams``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, Union

from attrs import field, frozen

PrimitiveKind = Literal["string", "integer", "number", "boolean", "null", "any"]


@frozen
class Primitive:
    """A JSON scalar (or ``any`` for TS ``unknown``/``any``), with its JSON Schema limits."""

    kind: PrimitiveKind
    format: str | None = None
    """``byte`` marks base64 data, ``uri``/``uri-template`` are informative."""
    minimum: int | float | None = None
    maximum: int | float | None = None


@frozen
class Const:
    """A single literal value: ``method: "tools/call"``, ``type: "text"``, ``code: -32601``."""

    value: str | int | bool


@frozen
class Enum:
    """A closed set of string literals, or an open one (TS ``"a" | "b" | string``)."""

    values: tuple[str, ...]
    open: bool = False


@frozen
class Ref:
    """A reference to another :class:`Definition` of the same revision, by name."""

    name: str


@frozen
class Array:
    item: TypeRef
    max_items: int | None = None


@frozen
class MapOf:
    """An object used as a dictionary: ``Record<string, X>`` / ``{[key: string]: X}``."""

    value: TypeRef


@frozen
class Union_:
    """Any one of ``members``; ``discriminator`` names the const property telling them apart."""

    members: tuple[TypeRef, ...]
    discriminator: str | None = None


TypeRef = Union[Primitive, Const, Enum, Ref, Array, MapOf, Union_]


@frozen
class Property:
    """One property of an object definition."""

    wire_name: str
    """The JSON key exactly as on the wire (``isError``, ``_meta``)."""
    py_name: str
    """The Python attribute name (``is_error``, ``meta``)."""
    type: TypeRef
    required: bool
    doc: str = ""
    deprecated: str | None = None


Extra = Literal["allow", "ignore"]


@frozen
class Definition:
    """A named type of the revision: an object shape (a class) or an alias of a type."""

    name: str
    kind: Literal["object", "alias"]
    doc: str = ""
    deprecated: str | None = None
    category: str | None = None
    internal: bool = False
    properties: tuple[Property, ...] = ()
    """Object definitions only: all properties, inherited ones included (flattened)."""
    extra: Extra = "ignore"
    """``allow`` for open objects (index signatures, ``Record`` bags): unknown keys are
    kept and round-trip. ``ignore`` for closed objects: unknown keys are dropped, so a
    newer revision's document validates against an older model as its projection."""
    extra_type: TypeRef | None = None
    """Type of the values under unknown keys of an open object."""
    alias: TypeRef | None = None
    """Alias definitions only: the aliased type."""
    bases: tuple[str, ...] = ()
    """TS ``extends`` clause, in order (``Omit<X, ...>`` contributes ``X``)."""
    omitted: tuple[str, ...] = ()
    """Property names removed from a base by ``Omit<>``."""
    parent: str | None = None
    """For hoisted inline objects: where the shape appears, e.g. ``CallToolRequest.params``."""

    def property(self, wire_name: str) -> Property | None:
        return next((p for p in self.properties if p.wire_name == wire_name), None)


Direction = Literal["client_to_server", "server_to_client", "both"]
Side = Literal["server", "client"]


@frozen
class CapabilityGate:
    holder: Side
    path: tuple[str, ...]


@frozen
class Method:
    """One JSON-RPC method; model fields are definition names."""

    method: str
    kind: Literal["request", "notification"]
    direction: Direction
    message: str
    params: str | None
    params_required: bool
    result: str | None
    alt_results: tuple[str, ...]
    capability: CapabilityGate | None
    input_only: bool
    handler: str
    deprecated: str | None = None
    doc: str = ""


@frozen
class Override:
    """A named fix of an upstream schema defect that was applied to this revision."""

    name: str
    target: str
    """``Definition`` or ``Definition.property`` it changed."""
    reason: str


@frozen
class RevisionIR:
    """Everything the generator knows about one protocol revision."""

    revision: str
    era: Literal["legacy", "modern"]
    jsonrpc_version: str
    latest_protocol_version: str
    definitions: Mapping[str, Definition]
    """By name, in emission order (schema definitions first, sorted; inline ones after)."""
    methods: Mapping[str, Method]
    """By method string, sorted."""
    constants: Mapping[str, str | int] = field(factory=dict)
    error_codes: Mapping[str, int] = field(factory=dict)
    batching: bool = False
    overrides: tuple[Override, ...] = ()
    fixed_upstream: tuple[str, ...] = ()
    """Overrides this revision no longer needs (one line each: where to close the range)."""
