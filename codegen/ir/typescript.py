"""Read what schema.json loses from schema.ts: JSDoc, tags, ``extends``, TS types, constants.

tree-sitter's TypeScript grammar gives a full syntax tree in a few milliseconds; this
module turns the exported declarations into small frozen records (:class:`TsModule`).
It never decides what the generated code looks like: :mod:`mcp_foundry.ir.build` merges
these facts into the IR and :mod:`mcp_foundry.ir.crosscheck` compares them with schema.json.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Literal, Union

import tree_sitter
import tree_sitter_typescript
from attrs import field, frozen
from mcp_foundry.ir.errors import GeneratorError

# ---- TS type expressions -------------------------------------------------------------


@frozen
class TsName:
    """A named type (``RequestId``), a predefined one (``string``) or a generic
    application (``Record<string, unknown>``, ``Omit<X, "a">``)."""

    name: str
    args: tuple[TsType, ...] = ()


@frozen
class TsLiteral:
    value: str | int | bool | None


@frozen
class TsTypeof:
    """``typeof JSONRPC_VERSION``: the type of an exported constant."""

    constant: str


@frozen
class TsArray:
    item: TsType


@frozen
class TsUnion:
    members: tuple[TsType, ...]


@frozen
class TsIntersection:
    members: tuple[TsType, ...]


@frozen
class TsObject:
    properties: tuple[TsProperty, ...]
    index: TsType | None = None


TsType = Union[TsName, TsLiteral, TsTypeof, TsArray, TsUnion, TsIntersection, TsObject]


@frozen
class JsDoc:
    text: str = ""
    deprecated: str | None = None
    category: str | None = None
    internal: bool = False


@frozen
class TsProperty:
    name: str
    type: TsType
    optional: bool
    doc: JsDoc = field(factory=JsDoc)


@frozen
class TsDeclaration:
    name: str
    kind: Literal["interface", "alias"]
    doc: JsDoc
    extends: tuple[TsType, ...] = ()
    body: TsType | None = None
    """Interfaces: a :class:`TsObject` of their own members; aliases: the aliased type."""


@frozen
class TsModule:
    declarations: dict[str, TsDeclaration]
    constants: dict[str, str | int]
    constant_docs: dict[str, JsDoc]


# ---- JSDoc -------------------------------------------------------------------------------

_TAG = re.compile(r"^@(\w+)\s*(.*)$")


def parse_jsdoc(comment: str | None) -> JsDoc:
    """Split a ``/** ... */`` comment into prose and the tags the generator uses."""
    if not comment or not comment.startswith("/**"):
        return JsDoc()
    lines = [re.sub(r"^\s*\* ?", "", line) for line in comment[3:-2].strip("\n").split("\n")]
    prose: list[str] = []
    tags: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines:
        match = _TAG.match(line.strip())
        if match:
            current = tags.setdefault(match.group(1), [])
            current.append(match.group(2))
        elif current is not None and line.strip():
            current[-1] = f"{current[-1]}\n{line.strip()}".strip()
        elif current is not None:
            current = None
        else:
            prose.append(line.rstrip())
    deprecated = tags.get("deprecated")
    category = tags.get("category")
    return JsDoc(
        text="\n".join(prose).strip(),
        deprecated=(deprecated[0] or "Deprecated.") if deprecated else None,
        category=category[0].strip() if category else None,
        internal="internal" in tags,
    )


# ---- tree-sitter walk --------------------------------------------------------------------


@cache
def _parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_typescript.language_typescript()))


class TsSyntaxError(GeneratorError):
    pass


def _text(node: tree_sitter.Node) -> str:
    assert node.text is not None
    return node.text.decode()


def _string_value(node: tree_sitter.Node) -> str:
    fragment = [c for c in node.named_children if c.type == "string_fragment"]
    return _text(fragment[0]) if fragment else ""


def _type(node: tree_sitter.Node) -> TsType:
    kind = node.type
    if kind in ("type_annotation", "parenthesized_type"):
        return _type(node.named_children[-1])
    if kind == "predefined_type" or kind == "type_identifier":
        return TsName(_text(node))
    if kind == "nested_type_identifier":
        return TsName(_text(node))
    if kind == "generic_type":
        name = _text(node.named_children[0])
        args = node.named_children[1].named_children
        return TsName(name, tuple(_type(a) for a in args))
    if kind == "literal_type":
        return _literal(node.named_children[0])
    if kind == "union_type":
        members: list[TsType] = []
        for child in node.named_children:
            if child.type == "comment":
                continue
            sub = _type(child)
            members.extend(sub.members if isinstance(sub, TsUnion) else (sub,))
        return TsUnion(tuple(members))
    if kind == "intersection_type":
        return TsIntersection(tuple(_type(c) for c in node.named_children))
    if kind == "array_type":
        return TsArray(_type(node.named_children[0]))
    if kind == "object_type":
        return _object(node)
    if kind == "type_query":
        return TsTypeof(_text(node.named_children[0]))
    raise TsSyntaxError(f"unsupported TS type {kind!r} {_where(node)}: {_text(node)[:80]}")


def _literal(node: tree_sitter.Node) -> TsLiteral:
    if node.type == "string":
        return TsLiteral(_string_value(node))
    if node.type == "null":
        return TsLiteral(None)
    if node.type in ("true", "false"):
        return TsLiteral(node.type == "true")
    if node.type in ("number", "unary_expression"):
        return TsLiteral(int(_text(node)))
    raise TsSyntaxError(f"unsupported literal {node.type!r}")


def _object(node: tree_sitter.Node) -> TsObject:
    properties: list[TsProperty] = []
    index: TsType | None = None
    pending_doc: str | None = None
    for child in node.named_children:
        if child.type == "comment":
            pending_doc = _text(child)
            continue
        if child.type == "property_signature":
            key = child.named_children[0]
            name = _string_value(key) if key.type == "string" else _text(key)
            optional = any(c.type == "?" for c in child.children)
            annotation = child.child_by_field_name("type")
            if annotation is None:
                raise TsSyntaxError(f"property {name!r} has no type")
            properties.append(
                TsProperty(name, _type(annotation), optional, parse_jsdoc(pending_doc))
            )
        elif child.type == "index_signature":
            index = _type(child.named_children[-1])
        pending_doc = None
    return TsObject(tuple(properties), index)


def _first_error(node: tree_sitter.Node) -> tree_sitter.Node:
    """The first error (or missing) node in source order, depth first."""
    for child in node.children:
        if child.type == "ERROR" or child.is_missing:
            return child
        if child.has_error:
            return _first_error(child)
    return node


def _where(node: tree_sitter.Node) -> str:
    line, column = node.start_point
    return f"at line {line + 1}, column {column + 1}"


def parse_typescript(source: bytes) -> TsModule:
    """Parse a schema.ts; raise :class:`TsSyntaxError` on any syntax error node."""
    tree = _parser().parse(source)
    if tree.root_node.has_error:
        bad = _first_error(tree.root_node)
        raise TsSyntaxError(f"syntax error {_where(bad)}: {_text(bad)[:60]!r}")
    declarations: dict[str, TsDeclaration] = {}
    constants: dict[str, str | int] = {}
    constant_docs: dict[str, JsDoc] = {}
    pending_doc: str | None = None
    for node in tree.root_node.named_children:
        if node.type == "comment":
            pending_doc = _text(node)
            continue
        if node.type == "export_statement":
            decl = node.named_children[-1]
            doc = parse_jsdoc(pending_doc)
            if decl.type == "interface_declaration":
                name = _text(decl.child_by_field_name("name") or decl.named_children[0])
                extends: tuple[TsType, ...] = ()
                for child in decl.named_children:
                    if child.type == "extends_type_clause":
                        extends = tuple(_type(c) for c in child.named_children)
                body = decl.child_by_field_name("body")
                assert body is not None
                declarations[name] = TsDeclaration(name, "interface", doc, extends, _object(body))
            elif decl.type == "type_alias_declaration":
                name = _text(decl.child_by_field_name("name") or decl.named_children[0])
                value = decl.child_by_field_name("value")
                assert value is not None
                declarations[name] = TsDeclaration(name, "alias", doc, (), _type(value))
            elif decl.type == "lexical_declaration":
                for declarator in decl.named_children:
                    name = _text(declarator.named_children[0])
                    literal = _literal(declarator.named_children[-1])
                    assert isinstance(literal.value, (str, int)) and not isinstance(
                        literal.value, bool
                    )
                    constants[name] = literal.value
                    constant_docs[name] = doc
        pending_doc = None
    return TsModule(declarations, constants, constant_docs)


@frozen
class TsMembers:
    """The flattened members of an object-like TS type (own, inherited and intersected)."""

    properties: dict[str, TsProperty]
    index: TsType | None
    bases: tuple[str, ...] = ()
    omitted: tuple[str, ...] = ()


def members(module: TsModule, type_: TsType | None) -> TsMembers | None:
    """Flatten ``type_`` into its properties, or ``None`` when it is not object-like."""
    if type_ is None:
        return None
    if isinstance(type_, TsObject):
        return TsMembers({p.name: p for p in type_.properties}, type_.index)
    if isinstance(type_, TsIntersection):
        parts = [members(module, m) for m in type_.members]
        if any(p is None for p in parts):
            return None
        return _merge([p for p in parts if p is not None])
    if isinstance(type_, TsName):
        if type_.name == "Record" and len(type_.args) == 2:
            return TsMembers({}, type_.args[1])
        if type_.name == "Omit" and type_.args:
            base = members(module, type_.args[0])
            if base is None:
                return None
            dropped = tuple(_literal_strings(type_.args[1])) if len(type_.args) > 1 else ()
            kept = {k: v for k, v in base.properties.items() if k not in dropped}
            return TsMembers(kept, base.index, base.bases, base.omitted + dropped)
        decl = module.declarations.get(type_.name)
        if decl is None:
            return None
        if decl.kind == "alias":
            return members(module, decl.body)
        return declaration_members(module, decl)
    return None


def declaration_members(module: TsModule, decl: TsDeclaration) -> TsMembers:
    parts: list[TsMembers] = []
    for base in decl.extends:
        resolved = members(module, base)
        if resolved is not None:
            parts.append(resolved)
    own = members(module, decl.body)
    assert own is not None
    merged = _merge(parts + [own])
    names = tuple(base_name(b) for b in decl.extends)
    omitted = tuple(
        name
        for b in decl.extends
        if isinstance(b, TsName) and b.name == "Omit"
        for name in _literal_strings(b.args[1])
    )
    return TsMembers(merged.properties, merged.index, names, omitted)


def base_name(type_: TsType) -> str:
    """``X`` for ``X`` and for ``Omit<X, ...>``."""
    if isinstance(type_, TsName) and type_.name == "Omit":
        return base_name(type_.args[0])
    assert isinstance(type_, TsName), type_
    return type_.name


def _literal_strings(type_: TsType) -> list[str]:
    if isinstance(type_, TsLiteral) and isinstance(type_.value, str):
        return [type_.value]
    if isinstance(type_, TsUnion):
        return [v for m in type_.members for v in _literal_strings(m)]
    return []


def _merge(parts: list[TsMembers]) -> TsMembers:
    properties: dict[str, TsProperty] = {}
    index: TsType | None = None
    for part in parts:
        properties.update(part.properties)
        index = part.index if part.index is not None else index
    return TsMembers(properties, index)
