"""Emit a revision's models: one pydantic class per object definition, one alias per other
type, spread over private modules so a process creates only the classes it uses.

Each strongly connected component of the reference graph (a class, or classes and aliases
that refer to each other) gets its own module ``_<first name in snake_case>.py``, which
imports the components it refers to: loading a class loads exactly its dependency closure,
and every name its annotations mention is in its own module's namespace, where pydantic
resolves forward references. ``models.py`` is the public facade, loading a component on first
access (creating ~1 ms of pydantic classes each is what cold start pays, issue #15).

Every module imports exactly the helpers it uses (``typing``, ``pydantic``, the prelude's
bases): each item records them as it is spelled (:mod:`.pytypes` does for annotations).

Order within a module matters only where Python evaluates a name at import: alias
expressions and ``RootModel[...]`` bases. Those follow their dependencies (sorted otherwise,
for stable output); aliases that recurse through each other become ``TypeAliasType`` with
quoted names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mcp_foundry.bindings import wire_name
from mcp_foundry.emit.literals import literal
from mcp_foundry.emit.pytypes import annotation, optional, refs
from mcp_foundry.emit.render import render
from mcp_foundry.ir.model import Const, Definition, Primitive, Property, Ref, RevisionIR
from mcp_foundry.ir.naming import words


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


def _field(prop: Property, defined: set[str], uses: set[str]) -> dict[str, Any]:
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
        uses.add("pydantic")
    else:
        value = ""
    rendered = annotation(prop.type, uses) if prop.required else optional(prop.type, uses)
    return {
        "name": prop.py_name,
        "annotation": _eager(rendered, refs(prop.type), defined),
        "value": value,
        "doc": prop.doc,
    }


def references(definition: Definition) -> set[str]:
    """Names of the definitions ``definition`` mentions (alias, fields, extra keys)."""
    if definition.kind == "alias":
        return refs(definition.alias) if definition.alias is not None else set()
    found: set[str] = set().union(*(refs(p.type) for p in definition.properties))
    if definition.extra_type is not None:
        found |= refs(definition.extra_type)
    return found


def components(definitions: Mapping[str, Definition]) -> list[tuple[str, ...]]:
    """Strongly connected components of the reference graph, each sorted, every one after
    the components it refers to (Tarjan's algorithm, visiting names in sorted order)."""
    graph = {name: sorted(references(d) & definitions.keys()) for name, d in definitions.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[tuple[str, ...]] = []

    def connect(name: str) -> None:
        index[name] = low[name] = len(index)
        stack.append(name)
        on_stack.add(name)
        for other in graph[name]:
            if other not in index:
                connect(other)
                low[name] = min(low[name], low[other])
            elif other in on_stack:
                low[name] = min(low[name], index[other])
        if low[name] == index[name]:
            members = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                members.append(member)
                if member == name:
                    break
            found.append(tuple(sorted(members)))

    for name in sorted(graph):
        if name not in index:
            connect(name)
    return found


def module_of(component: tuple[str, ...]) -> str:
    """The private module of a component: its first name in snake_case, underscored."""
    return "_" + words(component[0])


def _items(
    ir: RevisionIR,
    members: tuple[str, ...],
    defined: set[str],
    recursive: frozenset[str],
    wrapped: frozenset[str],
    uses: set[str],
) -> Iterable[dict[str, Any]]:
    """The items of one component's module; ``defined`` holds the names it imports from
    other components, ``uses`` gets the helper names they spell."""
    definitions = ir.definitions
    own = set(members)
    hard: dict[str, set[str]] = {}
    soft: dict[str, set[str]] = {}
    for name in members:
        d = definitions[name]
        if d.kind == "alias" and name not in recursive and d.alias is not None:
            hard[name] = (refs(d.alias) - {name}) & own
            if name in wrapped:
                hard[name] -= recursive
        elif d.kind == "object":
            soft[name] = references(d) & own
    for name in _order({n: definitions[n] for n in members}, hard, soft):
        yield from _item(definitions[name], wrapped, recursive, defined, uses)
        defined.add(name)


def _item(
    d: Definition,
    wrapped: frozenset[str],
    recursive: frozenset[str],
    defined: set[str],
    uses: set[str],
) -> Iterable[dict[str, Any]]:
    """One definition's item; the names the template spells for it (see
    ``models_component.py.j2``) go to ``uses`` with those of its annotations."""
    name = d.name
    doc = _with_deprecation(_fallback_doc(d), d.deprecated)
    if d.kind == "object":
        uses.add("MCPModel")
        extra_annotation = None
        if d.extra == "allow":
            uses.add("pydantic")  # model_config = pydantic.ConfigDict(...)
            if d.extra_type is not None and d.extra_type != Primitive("any"):
                spelled = annotation(d.extra_type, uses)
                extra_annotation = _eager(spelled, refs(d.extra_type), defined)
        constants = [
            literal(p.py_name) for p in d.properties if isinstance(p.type, Const) and p.required
        ]
        if constants:
            uses.add("typing")  # model_post_init(self, context: typing.Any, /)
        yield {
            "kind": "class",
            "name": name,
            "base": "MCPModel",
            "doc": doc,
            "extra": d.extra == "allow",
            "extra_annotation": extra_annotation,
            "constants": constants,
            "fields": [_field(p, defined, uses) for p in d.properties],
        }
    elif name in wrapped:
        assert d.alias is not None
        uses.add("MCPRootModel")
        yield {
            "kind": "class",
            "name": name,
            "base": f"MCPRootModel[{annotation(d.alias, uses)}]",
            "doc": doc,
            "extra": False,
            "extra_annotation": None,
            "constants": [],
            "fields": [],
        }
    elif name in recursive:
        assert d.alias is not None
        # The whole value as one string: the only spelling both pydantic and mypy
        # resolve for mutually recursive aliases (in this module: so its names are
        # imported all the same).
        value = literal(annotation(d.alias, uses))
        uses.add("typing_extensions")  # typing_extensions.TypeAliasType(...)
        yield {"kind": "recursive", "name": name, "annotation": value, "doc": doc}
    else:
        assert d.alias is not None
        spelled = annotation(d.alias, uses)
        uses.add("typing")  # X: typing.TypeAlias = ...
        yield {"kind": "alias", "name": name, "annotation": spelled, "doc": doc}


PRELUDE = "_prelude"
"""The private module of the bases every component module imports."""

# Names the prelude defines, the facade re-exports; a schema definition may not take them.
PRELUDE_NAMES = frozenset({"Base64Str", "MCPModel", "MCPRootModel"})
HELPER_MODULES = (("typing",), ("pydantic", "typing_extensions"))
"""The modules a component module may import, in their import groups (stdlib, others)."""
# Names the generated modules use themselves; a schema definition may not take them either.
RESERVED_NAMES = PRELUDE_NAMES | {m for group in HELPER_MODULES for m in group} | {"wire_name"}


@dataclass(frozen=True)
class Component:
    """One private module: the definitions it holds and the names it imports, by module."""

    module: str
    members: tuple[str, ...]
    imports: tuple[tuple[str, tuple[str, ...]], ...]


def layout(ir: RevisionIR) -> list[Component]:
    """The revision's component modules, each after the ones it imports."""
    found = components(ir.definitions)
    home = {name: module_of(c) for c in found for name in c}
    modules = [module_of(c) for c in found]
    if len(set(modules)) != len(modules) or PRELUDE in modules:
        raise ValueError(f"{ir.revision}: model modules clash: {sorted(modules)}")
    laid_out = []
    for members in found:
        needed: dict[str, set[str]] = {}
        for name in members:
            for other in references(ir.definitions[name]) - set(members):
                needed.setdefault(home[other], set()).add(other)
        imports = tuple((m, tuple(sorted(needed[m]))) for m in sorted(needed))
        laid_out.append(Component(module_of(members), members, imports))
    return laid_out


def emit_models(ir: RevisionIR) -> dict[str, str]:
    """File name → content: the ``models.py`` facade, the prelude and one module per
    component."""
    clash = RESERVED_NAMES & set(ir.definitions)
    if clash:
        raise ValueError(f"{ir.revision}: definitions shadow generated helpers: {sorted(clash)}")
    laid_out = layout(ir)
    recursive = _recursive_aliases(ir.definitions)
    wrapped = root_models(ir)
    files = {f"{PRELUDE}.py": render("models_prelude.py.j2", revision=ir.revision)}
    for component in laid_out:
        defined = {name for _, names in component.imports for name in names}
        uses: set[str] = set()
        items = list(_items(ir, component.members, defined, recursive, wrapped, uses))
        files[f"{component.module}.py"] = render(
            "models_component.py.j2",
            revision=ir.revision,
            members=component.members,
            modules=[[m for m in group if m in uses] for group in HELPER_MODULES],
            prelude=sorted(uses & PRELUDE_NAMES),
            imports=component.imports,
            items=items,
        )
    homes = {name: PRELUDE for name in PRELUDE_NAMES}
    homes.update({name: c.module for c in laid_out for name in c.members})
    by_module: dict[str, list[str]] = {}
    for name, module in homes.items():
        by_module.setdefault(module, []).append(name)
    files["models.py"] = render(
        "models.py.j2",
        revision=ir.revision,
        imports=[(m, sorted(by_module[m])) for m in sorted(by_module)],
        homes=sorted(homes.items()),
    )
    return files
