"""schema.json (structure) + schema.ts (docs, tags, openness) → IR definitions.

schema.json gives the shapes; the TS declaration of the same definition (or, for inline
objects, the TS type at the same property path) adds JSDoc text, ``@deprecated``,
``@category``, ``@internal``, ``extends``, open enums and index signatures. Upstream defects
are corrected before this runs, by :mod:`mcp_foundry.ir.overrides` on the schema dict.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import attrs
from mcp_foundry.ir import naming
from mcp_foundry.ir.errors import GeneratorError
from mcp_foundry.ir.model import (
    Array,
    Const,
    Definition,
    Enum,
    MapOf,
    Primitive,
    Property,
    Ref,
    TypeRef,
    Union_,
)
from mcp_foundry.ir.typescript import (
    JsDoc,
    TsLiteral,
    TsMembers,
    TsModule,
    TsName,
    TsUnion,
    declaration_members,
    members,
)

_LINK = re.compile(r"\{@link\s+([^}|\s]+)(?:\s*\|\s*([^}]+))?\}")


def clean_doc(text: str) -> str:
    """Render TSDoc inline tags as plain text: ``{@link X | y}`` → ``y``, ``{@link X}`` → ``X``."""
    return _LINK.sub(lambda m: (m.group(2) or m.group(1)).strip(), text).strip()


class SchemaError(GeneratorError):
    """schema.json holds a construct the generator does not understand."""


class DefinitionBuilder:
    """Converts every schema.json definition, hoisting and naming inline objects."""

    def __init__(self, schema_defs: Mapping[str, Any], ts: TsModule) -> None:
        self.schema_defs = schema_defs
        self.ts = ts
        self.definitions: dict[str, Definition] = {}
        self._inline: dict[str, Definition] = {}

    def build(self) -> dict[str, Definition]:
        for name in sorted(self.schema_defs):
            self.definitions[name] = self._definition(name, self.schema_defs[name])
        for name in sorted(self._inline):
            if name in self.definitions:
                raise SchemaError(f"inline object name {name!r} collides with a definition")
            self.definitions[name] = self._inline[name]
        return {
            name: _map_definition(d, self._discriminate) for name, d in self.definitions.items()
        }

    def _discriminate(self, type_: TypeRef) -> TypeRef:
        """Tag a union whose members are objects sharing a required const property."""
        if not isinstance(type_, Union_) or not all(isinstance(m, Ref) for m in type_.members):
            return type_
        objects = [self.definitions[m.name] for m in type_.members if isinstance(m, Ref)]
        if any(d.kind != "object" for d in objects):
            return type_
        for tag in ("type", "method", "mode", "kind"):
            values = []
            for d in objects:
                prop = d.property(tag)
                if prop is None or not prop.required or not isinstance(prop.type, Const):
                    break
                values.append(prop.type.value)
            else:
                if len(set(values)) == len(values):
                    return Union_(type_.members, discriminator=tag)
        return type_

    # ---- definitions ------------------------------------------------------------------

    def _definition(self, name: str, schema: Mapping[str, Any]) -> Definition:
        decl = self.ts.declarations.get(name)
        doc = decl.doc if decl is not None else JsDoc()
        ts_members = (
            declaration_members(self.ts, decl) if decl and decl.kind == "interface" else None
        )
        if ts_members is None and decl is not None and decl.kind == "alias":
            ts_members = members(self.ts, decl.body)
        ts_alias = decl.body if decl is not None and decl.kind == "alias" else None
        # For `type A = B` without JSDoc, schema.json repeats B's description with its
        # {@link X | y} tags flattened to "Xy"; A has no text of its own in schema.ts.
        inherited = isinstance(ts_alias, TsName) and not doc.text
        text = "" if inherited else clean_doc(doc.text or schema.get("description", ""))
        if isinstance(ts_alias, TsName) and ts_alias.name in self.schema_defs:
            # `type ClientNotification = CancelledNotification`: schema.json may copy the
            # target inline; schema.ts says it is the same type.
            alias: TypeRef = Ref(ts_alias.name)
        else:
            shape = None if _is_bare_ref(schema) else self._object_schema(schema)
            if shape is not None and shape.get("properties"):
                return self._object(name, shape, ts_members, text, doc, parent=None)
            alias = self._type(schema, name, ts_type=ts_alias)
        return Definition(
            name=name,
            kind="alias",
            doc=text,
            deprecated=doc.deprecated,
            category=doc.category,
            internal=doc.internal,
            alias=alias,
        )

    def _object_schema(self, schema: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """The object shape of ``schema``: itself, its single ``$ref`` target, or its
        ``allOf`` parts merged; ``None`` when it is not an object."""
        if "allOf" in schema:
            merged: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
            for part in schema["allOf"]:
                shape = self._object_schema(self._resolve(part))
                if shape is None:
                    raise SchemaError(f"allOf member is not an object: {part}")
                merged["properties"].update(shape.get("properties", {}))
                merged["required"] = sorted({*merged["required"], *shape.get("required", [])})
                if "additionalProperties" in shape:
                    merged["additionalProperties"] = shape["additionalProperties"]
            return merged
        if schema.get("type") == "object":
            return schema
        if set(schema) <= {"$ref", "description"} and "$ref" in schema:
            return self._object_schema(self._resolve(schema))
        return None

    def _resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        if "$ref" in schema:
            target: Mapping[str, Any] = self.schema_defs[_ref_name(schema["$ref"])]
            return target
        return schema

    def _object(
        self,
        name: str,
        shape: Mapping[str, Any],
        ts_members: TsMembers | None,
        text: str,
        doc: JsDoc,
        parent: str | None,
    ) -> Definition:
        required = set(shape.get("required", ()))
        props: list[Property] = []
        seen: dict[str, str] = {}
        for wire, sub in sorted(shape.get("properties", {}).items()):
            ts_prop = ts_members.properties.get(wire) if ts_members else None
            prop_doc = ts_prop.doc if ts_prop is not None else JsDoc()
            py_name = naming.snake(wire)
            if py_name in seen:
                raise SchemaError(f"{name}: {wire!r} and {seen[py_name]!r} share {py_name!r}")
            seen[py_name] = wire
            props.append(
                Property(
                    wire_name=wire,
                    py_name=py_name,
                    type=self._type(
                        sub,
                        naming.inline_name(name, wire),
                        ts_type=ts_prop.type if ts_prop else None,
                        parent=f"{name}.{wire}",
                    ),
                    required=wire in required,
                    doc=clean_doc(prop_doc.text or sub.get("description", "")),
                    deprecated=prop_doc.deprecated,
                )
            )
        additional = shape.get("additionalProperties")
        ts_open = ts_members is not None and ts_members.index is not None
        is_open = ts_open or (additional is not None and additional is not False)
        extra_type: TypeRef | None = None
        if is_open:
            extra_type = (
                self._type(additional, name + "Value")
                if isinstance(additional, Mapping) and additional
                else Primitive("any")
            )
        return Definition(
            name=name,
            kind="object",
            doc=text,
            deprecated=doc.deprecated,
            category=doc.category,
            internal=doc.internal,
            properties=tuple(props),
            extra="allow" if is_open else "ignore",
            extra_type=extra_type,
            bases=ts_members.bases if ts_members else (),
            omitted=ts_members.omitted if ts_members else (),
            parent=parent,
        )

    def _hoist(self, name: str, shape: Mapping[str, Any], ts_type: Any, parent: str) -> Ref:
        ts_members = members(self.ts, ts_type)
        definition = self._object(
            name, shape, ts_members, clean_doc(shape.get("description", "")), JsDoc(), parent
        )
        existing = self._inline.get(name)
        if existing is not None and _shape(existing) != _shape(definition):
            raise SchemaError(f"two different inline objects want the name {name!r}")
        self._inline.setdefault(name, definition)
        return Ref(name)

    # ---- types ------------------------------------------------------------------------

    def _type(
        self,
        schema: Any,
        context: str,
        *,
        ts_type: Any = None,
        parent: str | None = None,
    ) -> TypeRef:
        """Convert one JSON Schema to a type; ``context`` names any inline object in it."""
        if schema is True or schema == {} or schema is None:
            return Primitive("any")
        if not isinstance(schema, Mapping):
            raise SchemaError(f"unsupported schema {schema!r}")
        if "$ref" in schema:
            return Ref(_ref_name(schema["$ref"]))
        for key in ("anyOf", "oneOf"):
            if key in schema:
                options = tuple(self._type(m, context, parent=parent) for m in schema[key])
                return options[0] if len(options) == 1 else Union_(_dedupe(options))
        if "allOf" in schema:
            shape = self._object_schema(schema)
            assert shape is not None
            return self._hoist(context, shape, ts_type, parent or context)
        if "const" in schema:
            return Const(schema["const"])
        if "enum" in schema:
            return Enum(tuple(schema["enum"]), open=_ts_open_enum(self.ts, ts_type))
        kind = schema.get("type")
        if isinstance(kind, list):
            return Union_(tuple(self._type({**schema, "type": k}, context) for k in kind))
        if kind == "object":
            if schema.get("properties"):
                return self._hoist(context, schema, ts_type, parent or context)
            additional = schema.get("additionalProperties")
            value = (
                self._type(additional, context + "Value")
                if isinstance(additional, Mapping)
                else Primitive("any")
            )
            return MapOf(value)
        if kind == "array":
            item_context = context + "Item"
            if parent is not None:
                owner, _, wire = parent.rpartition(".")
                item_context = naming.inline_name(owner, wire, item=True)
            return Array(
                self._type(schema.get("items", {}), item_context, parent=parent and parent + "[]"),
                schema.get("maxItems"),
            )
        if kind in ("string", "integer", "number", "boolean", "null"):
            if kind == "string" and _ts_open_enum_values(self.ts, ts_type):
                return Enum(_ts_open_enum_values(self.ts, ts_type), open=True)
            return Primitive(
                kind, schema.get("format"), schema.get("minimum"), schema.get("maximum")
            )
        if kind is None:
            return Primitive("any")
        raise SchemaError(f"unsupported JSON Schema type {kind!r} in {context}")


def _map_type(type_: TypeRef, fn: Callable[[TypeRef], TypeRef]) -> TypeRef:
    """Apply ``fn`` bottom-up to every type inside ``type_``."""
    if isinstance(type_, Array):
        type_ = attrs.evolve(type_, item=_map_type(type_.item, fn))
    elif isinstance(type_, MapOf):
        type_ = MapOf(_map_type(type_.value, fn))
    elif isinstance(type_, Union_):
        type_ = attrs.evolve(type_, members=tuple(_map_type(m, fn) for m in type_.members))
    return fn(type_)


def _map_definition(definition: Definition, fn: Callable[[TypeRef], TypeRef]) -> Definition:
    return attrs.evolve(
        definition,
        properties=tuple(
            attrs.evolve(p, type=_map_type(p.type, fn)) for p in definition.properties
        ),
        alias=_map_type(definition.alias, fn) if definition.alias is not None else None,
    )


def _shape(definition: Definition) -> tuple[tuple[str, object, bool], ...]:
    return tuple((p.wire_name, p.type, p.required) for p in definition.properties)


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _is_bare_ref(schema: Mapping[str, Any]) -> bool:
    return "$ref" in schema and set(schema) <= {"$ref", "description"}


def _dedupe(options: tuple[TypeRef, ...]) -> tuple[TypeRef, ...]:
    seen: list[TypeRef] = []
    for option in options:
        if option not in seen:
            seen.append(option)
    return tuple(seen)


def _ts_open_enum_values(ts: TsModule, ts_type: Any) -> tuple[str, ...]:
    """Known values of a TS open enum (``"a" | "b" | string``), following aliases."""
    seen = 0
    while isinstance(ts_type, TsName) and ts_type.name in ts.declarations and seen < 8:
        ts_type = ts.declarations[ts_type.name].body
        seen += 1
    if not isinstance(ts_type, TsUnion):
        return ()
    literals = [m.value for m in ts_type.members if isinstance(m, TsLiteral)]
    has_string = any(isinstance(m, TsName) and m.name == "string" for m in ts_type.members)
    if has_string and literals and all(isinstance(v, str) for v in literals):
        return tuple(str(v) for v in literals)
    return ()


def _ts_open_enum(ts: TsModule, ts_type: Any) -> bool:
    return bool(_ts_open_enum_values(ts, ts_type))
