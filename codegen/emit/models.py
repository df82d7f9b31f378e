"""Emit ``models.py``: one pydantic class per object definition, one alias per other type.

Order matters only where Python evaluates a name at import: alias expressions and
``RootModel[...]`` bases. Those follow their dependencies (sorted otherwise, for stable
output); aliases that recurse through each other become ``TypeAliasType`` with quoted names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from mcp_foundry.bindings import wire_name
from mcp_foundry.emit.literals import literal
from mcp_foundry.emit.pytypes import annotation, optional, refs
from mcp_foundry.emit.render import render
from mcp_foundry.ir.model import Const, Definition, Primitive, Property, Ref, RevisionIR


def root_models(ir: RevisionIR) -> frozenset[str]:
    """Non-object definitions the method table names: wrapped as ``RootModel`` classes so
    every params/result is a model class the runtime can ``model_validate``."""
    named = {
        name
        for m in ir.methods.values()
        for name in (m.message, m.params, m.result, *m.alt_results)
        if name is not None
    }
    return frozenset(n for n in named if ir.definitions[n].kind == "alias")


def _recursive_aliases(definitions: Mapping[str, Definition]) -> frozenset[str]:
    """Aliases that reach themselves through other aliases."""
    graph = {
        name: {r for r in refs(d.alias) if definitions[r].kind == "alias"}
        for name, d in definitions.items()
        if d.kind == "alias" and d.alias is not None
    }
    recursive = set()
    for start in graph:
        stack, seen = list(graph[start]), set()
        while stack:
            node = stack.pop()
            if node == start:
                recursive.add(start)
                break
            if node not in seen:
                seen.add(node)
                stack.extend(graph.get(node, ()))
    return frozenset(recursive)


def _order(
    definitions: Mapping[str, Definition],
    hard: Mapping[str, set[str]],
    soft: Mapping[str, set[str]],
) -> list[str]:
    """Names sorted, each after its ``hard`` dependencies (evaluated at import: alias
    expressions, ``RootModel[...]`` bases) and, where no cycle prevents it, after its
    ``soft`` ones (field annotations), so few annotations need quoting."""
    done: set[str] = set()
    ordered: list[str] = []
    closure: dict[str, set[str]] = {}

    def hard_closure(name: str) -> set[str]:
        if name not in closure:
            closure[name] = set()
            for dep in hard.get(name, ()):
                closure[name] |= {dep} | hard_closure(dep)
        return closure[name]

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in done:
            return
        for dep in sorted(hard.get(name, ())):
            if dep in path or dep == name:
                raise ValueError(f"import-time cycle: {' -> '.join(path + (name, dep))}")
            visit(dep, path + (name,))
        for dep in sorted(soft.get(name, ())):
            if dep in done or dep in path or dep == name or hard_closure(dep) & {*path, name}:
                continue
            visit(dep, path + (name,))
        done.add(name)
        ordered.append(name)

    for name in sorted(definitions):
        visit(name, ())
    return ordered


def _fallback_doc(definition: Definition) -> str:
    if definition.doc:
        return definition.doc
    if definition.parent:
        return f"The inline object at ``{definition.parent}``."
    if isinstance(definition.alias, Ref):
        return f"Another name for :class:`{definition.alias.name}`."
    return f"``{definition.name}`` of the schema."


def _with_deprecation(doc: str, deprecated: str | None) -> str:
    if deprecated is None:
        return doc
    return f"{doc}\n\n.. deprecated:: {deprecated}".strip()


def _eager(annotation: str, mentioned: set[str], defined: set[str]) -> str:
    """``annotation`` as is when every name in it already exists at that point of the
    module, else as a string (a forward reference pydantic resolves on first use)."""
    return annotation if mentioned <= defined else literal(annotation)


def _field(prop: Property, defined: set[str]) -> dict[str, Any]:
    args: list[str] = []
    is_const = isinstance(prop.type, Const) and prop.required
    if isinstance(prop.type, Const) and prop.required:
        args.append(literal(prop.type.value))
    elif not prop.required:
        args.append("None")
    if wire_name(prop.py_name) != prop.wire_name:
        args.append(f"alias={literal(prop.wire_name)}")
    if prop.deprecated:
        args.append(f"deprecated={literal(prop.deprecated)}")
    if len(args) == 1 and (is_const or not prop.required):
        value = args[0]
    elif args:
        value = f"pydantic.Field({', '.join(args)})"
    else:
        value = ""
    rendered = annotation(prop.type) if prop.required else optional(prop.type)
    return {
        "name": prop.py_name,
        "annotation": _eager(rendered, refs(prop.type), defined),
        "value": value,
        "doc": prop.doc,
    }


def _items(ir: RevisionIR) -> Iterable[dict[str, Any]]:
    definitions = ir.definitions
    recursive = _recursive_aliases(definitions)
    wrapped = root_models(ir)
    hard: dict[str, set[str]] = {}
    soft: dict[str, set[str]] = {}
    for name, d in definitions.items():
        if d.kind == "alias" and name not in recursive and d.alias is not None:
            hard[name] = refs(d.alias) - {name}
            if name in wrapped:
                hard[name] -= recursive
        elif d.kind == "object":
            soft[name] = set().union(*(refs(p.type) for p in d.properties))
            if d.extra_type is not None:
                soft[name] |= refs(d.extra_type)
    defined: set[str] = set()
    for name in _order(definitions, hard, soft):
        yield from _item(definitions[name], wrapped, recursive, defined)
        defined.add(name)


def _item(
    d: Definition,
    wrapped: frozenset[str],
    recursive: frozenset[str],
    defined: set[str],
) -> Iterable[dict[str, Any]]:
    name = d.name
    doc = _with_deprecation(_fallback_doc(d), d.deprecated)
    if d.kind == "object":
        extra_annotation = None
        if d.extra == "allow" and d.extra_type is not None and d.extra_type != Primitive("any"):
            extra_annotation = _eager(annotation(d.extra_type), refs(d.extra_type), defined)
        yield {
            "kind": "class",
            "name": name,
            "base": "MCPModel",
            "doc": doc,
            "extra": d.extra == "allow",
            "extra_annotation": extra_annotation,
            "constants": [
                literal(p.py_name) for p in d.properties if isinstance(p.type, Const) and p.required
            ],
            "fields": [_field(p, defined) for p in d.properties],
        }
    elif name in wrapped:
        assert d.alias is not None
        yield {
            "kind": "class",
            "name": name,
            "base": f"MCPRootModel[{annotation(d.alias)}]",
            "doc": doc,
            "extra": False,
            "extra_annotation": None,
            "constants": [],
            "fields": [],
        }
    elif name in recursive:
        assert d.alias is not None
        # The whole value as one string: the only spelling both pydantic and mypy
        # resolve for mutually recursive aliases.
        value = literal(annotation(d.alias))
        yield {"kind": "recursive", "name": name, "annotation": value, "doc": doc}
    else:
        assert d.alias is not None
        yield {"kind": "alias", "name": name, "annotation": annotation(d.alias), "doc": doc}


# Names the models module defines itself; a schema definition may not take them.
PRELUDE_NAMES = frozenset(
    {
        "Base64Str",
        "MCPModel",
        "MCPRootModel",
        "typing",
        "pydantic",
        "base64",
        "binascii",
        "wire_name",
    }
)


def emit_models(ir: RevisionIR) -> str:
    clash = PRELUDE_NAMES & set(ir.definitions)
    if clash:
        raise ValueError(f"{ir.revision}: definitions shadow generated helpers: {sorted(clash)}")
    return render("models.py.j2", revision=ir.revision, items=list(_items(ir)))
