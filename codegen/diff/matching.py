"""Which definition of revision A is which of revision B.

Same name first. Then moves that must not read as remove + add, found where one revision
uses the other's type at the same place (a field, a union position, a method's params):
- a hoisted inline object (``ElicitRequest.params``) that became, or came from, a named
  definition — several inline copies may fold into one named type;
- a rename: identical shape (``ResourceReference`` → ``ResourceTemplateReference``), or at
  the same place with at least half of the fields in common;
- an object that became a union of shapes, paired with the alternative closest to it.
Finally, unused renames by identical shape alone, where unambiguous.
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs
from mcp_foundry.diff.scope import Scope, is_open_map, normalize, optional_object
from mcp_foundry.diff.typeref import render
from mcp_foundry.ir.model import Array, Definition, MapOf, Ref, RevisionIR, TypeRef, Union_


@attrs.define
class Matching:
    pairs: set[tuple[str, str]]
    """(A name, B name) for every definition present on both sides under some name."""
    renamed: set[tuple[str, str]] = attrs.field(factory=set)
    """Pairs that are renames (both named, not hoisted, different names)."""
    from_map: set[str] = attrs.field(factory=set)
    """B objects that replaced an open map of A: their fields are new."""
    into_map: set[str] = attrs.field(factory=set)
    """A objects an open map of B replaced: their fields are no longer described."""

    def matched_a(self) -> set[str]:
        return {x for x, _ in self.pairs}

    def matched_b(self) -> set[str]:
        return {y for _, y in self.pairs}


def _parallel(a: TypeRef | None, b: TypeRef | None) -> Iterator[tuple[TypeRef, TypeRef]]:
    """Leaf type pairs found at the same position of two types."""
    if isinstance(a, Array) and isinstance(b, Array):
        yield from _parallel(a.item, b.item)
    elif isinstance(a, MapOf) and isinstance(b, MapOf):
        yield from _parallel(a.value, b.value)
    elif isinstance(a, Union_) and isinstance(b, Union_):
        if len(a.members) == len(b.members):
            for x, y in zip(a.members, b.members, strict=True):
                yield from _parallel(x, y)
    elif a is not None and b is not None:
        yield a, b


def _shape(definition: Definition, rename: dict[str, str]) -> tuple[object, ...]:
    """What a definition looks like on the wire, with A's names translated to B's."""

    def show(t: TypeRef | None) -> str:
        return render(t, lambda n: rename.get(n, n))

    if definition.kind == "alias":
        return ("alias", show(definition.alias))
    props = frozenset((p.wire_name, p.required, show(p.type)) for p in definition.properties)
    return ("object", props, definition.extra, show(definition.extra_type))


def _similar(da: Definition, db: Definition) -> bool:
    """Same kind and at least half of all field names in common."""
    if da.kind != "object" or db.kind != "object":
        return False
    names_a = {p.wire_name for p in da.properties}
    names_b = {p.wire_name for p in db.properties}
    union = names_a | names_b
    return bool(union) and len(names_a & names_b) * 2 >= len(union)


class _Matcher:
    def __init__(self, a: RevisionIR, b: RevisionIR) -> None:
        self.a, self.b = a, b
        self.m = Matching(pairs={(n, n) for n in a.definitions if n in b.definitions})

    def rename_map(self) -> dict[str, str]:
        return {x: y for x, y in self.m.pairs}

    def run(self) -> Matching:
        while self._by_site() or self._by_union() or self._by_shape():
            pass
        return self.m

    def _accept(self, x: str, y: str, *, rename: bool = True) -> None:
        """Pair x with y; a rename only when both were free (not a second partner)."""
        free = x not in self.m.matched_a() and y not in self.m.matched_b()
        self.m.pairs.add((x, y))
        da, db = self.a.definitions[x], self.b.definitions[y]
        if rename and free and x != y and da.parent is None and db.parent is None:
            self.m.renamed.add((x, y))

    def _by_site(self) -> bool:
        free_a = self.a.definitions.keys() - self.m.matched_a()
        free_b = self.b.definitions.keys() - self.m.matched_b()
        progress = False
        for ta, tb in list(self._sites()):
            if is_open_map(normalize(ta, self.a.definitions)):
                target = optional_object(tb, self.b.definitions)
                if target is not None and target.name not in self.m.from_map:
                    self.m.from_map.add(target.name)
                    progress = True
            elif is_open_map(normalize(tb, self.b.definitions)):
                target = optional_object(ta, self.a.definitions)
                if target is not None and target.name not in self.m.into_map:
                    self.m.into_map.add(target.name)
                    progress = True
            elif isinstance(ta, Ref) and isinstance(tb, Ref):
                x, y = ta.name, tb.name
                if (
                    (x, y) in self.m.pairs
                    or x not in self.a.definitions
                    or y not in self.b.definitions
                ):
                    continue
                if x not in free_a and y not in free_b:
                    continue
                da, db = self.a.definitions[x], self.b.definitions[y]
                hoisted = da.parent is not None or db.parent is not None
                if hoisted or _similar(da, db) or _shape(da, self.rename_map()) == _shape(db, {}):
                    self._accept(x, y)
                    free_a.discard(x)
                    free_b.discard(y)
                    progress = True
        return progress

    def _by_union(self) -> bool:
        """An A object whose B namesake is a union: pair it with its closest alternative."""
        scope = Scope(self.a.definitions, self.b.definitions, self.m.pairs)
        progress = False
        for x, _ in list(self.m.pairs):
            da = self.a.definitions[x]
            alternatives = scope.became_union(x) if da.kind == "object" else ()
            best = max(
                alternatives,
                key=lambda n: _overlap(da, self.b.definitions[n]),
                default=None,
            )
            if best and (x, best) not in self.m.pairs and _extends(da, self.b.definitions[best]):
                self._accept(x, best, rename=False)
                progress = True
        return progress

    def _by_shape(self) -> bool:
        """Renames by identical shape alone, only where the match is unambiguous."""
        free_a = [
            n
            for n in self.a.definitions
            if n not in self.m.matched_a() and self.a.definitions[n].parent is None
        ]
        free_b = [
            n
            for n in self.b.definitions
            if n not in self.m.matched_b() and self.b.definitions[n].parent is None
        ]
        rename = self.rename_map()
        shapes_a = {x: _shape(self.a.definitions[x], rename) for x in free_a}
        shapes_b = {y: _shape(self.b.definitions[y], {}) for y in free_b}
        progress = False
        for x, shape in shapes_a.items():
            candidates = [y for y, s in shapes_b.items() if s == shape]
            rivals = [z for z, s in shapes_a.items() if s == shape]
            if len(candidates) == 1 and rivals == [x]:
                self._accept(x, candidates[0])
                progress = True
        return progress

    def _sites(self) -> Iterator[tuple[TypeRef, TypeRef]]:
        """Type pairs at the same place of already matched definitions and methods."""
        for x, y in list(self.m.pairs):
            da, db = self.a.definitions[x], self.b.definitions[y]
            if da.kind == "alias" and db.kind == "alias":
                yield from _parallel(da.alias, db.alias)
            for prop in da.properties:
                other = db.property(prop.wire_name)
                if other is not None:
                    yield from _parallel(prop.type, other.type)
        for name, ma in self.a.methods.items():
            mb = self.b.methods.get(name)
            if mb is None:
                continue
            pairs: tuple[tuple[str | None, str | None], ...] = (
                (ma.message, mb.message),
                (ma.params, mb.params),
                (ma.result, mb.result),
            )
            for before, after in pairs:
                if before and after:
                    yield Ref(before), Ref(after)


def _extends(da: Definition, db: Definition) -> bool:
    """``db`` keeps every field of ``da`` (and may add some), or the two are similar."""
    names_a = {p.wire_name for p in da.properties}
    return bool(names_a) and names_a <= {p.wire_name for p in db.properties} or _similar(da, db)


def _overlap(da: Definition, db: Definition) -> int:
    return len({p.wire_name for p in da.properties} & {p.wire_name for p in db.properties})


def match(a: RevisionIR, b: RevisionIR) -> Matching:
    return _Matcher(a, b).run()
