"""The two revisions' definitions as seen from a type comparison.

Besides matching references, it knows which spellings mean the same thing on the wire,
so that a refactoring of the schema is not reported as a change:
``{[key: string]: unknown}``, an empty open object (``MetaObject``) and ``JSONObject``
are all "an object with any keys"; ``JSONValue`` is "any JSON value".
"""

from __future__ import annotations

from collections.abc import Mapping

from mcp_foundry.diff.typeref import members
from mcp_foundry.ir.model import Array, Definition, MapOf, Primitive, Ref, TypeRef, Union_

ANY = Primitive("any")


def _universal(union: Union_) -> bool:
    """A union of string, number, boolean and array (and objects): any JSON value."""
    alternatives = members(union)
    kinds = {m.kind for m in alternatives if isinstance(m, Primitive)}
    has_array = any(isinstance(m, Array) for m in alternatives)
    return (
        has_array
        and "string" in kinds
        and "boolean" in kinds
        and bool(kinds & {"number", "integer"})
    )


def normalize(
    t: TypeRef | None,
    defs: Mapping[str, Definition],
    seen: frozenset[str] = frozenset(),
) -> TypeRef | None:
    """``t`` with aliases resolved and equivalent spellings of "any" collapsed."""
    if isinstance(t, Ref) and t.name in defs and t.name not in seen:
        target = defs[t.name]
        inner = seen | {t.name}
        if target.kind == "alias":
            return normalize(target.alias, defs, inner)
        if not target.properties and target.extra == "allow":
            return MapOf(normalize(target.extra_type, defs, inner) or ANY)
        return t
    if isinstance(t, Union_):
        return ANY if _universal(t) else t
    if isinstance(t, MapOf):
        return MapOf(normalize(t.value, defs, seen) or ANY)
    if isinstance(t, Array):
        return Array(normalize(t.item, defs, seen) or ANY, t.max_items)
    return t


def is_open_map(t: TypeRef | None) -> bool:
    """``{[key: string]: <any>}`` after normalization."""
    return isinstance(t, MapOf) and t.value == ANY


def optional_object(t: TypeRef | None, defs: Mapping[str, Definition]) -> Definition | None:
    """The object definition ``t`` names when every property of it is optional: such an
    object and an open map accept the same documents, it only names some keys."""
    if isinstance(t, Ref) and t.name in defs:
        target = defs[t.name]
        if (
            target.kind == "object"
            and target.properties
            and not any(p.required for p in target.properties)
        ):
            return target
    return None


class Scope:
    """Type-level facts about a pair of revisions."""

    def __init__(
        self,
        defs_a: Mapping[str, Definition],
        defs_b: Mapping[str, Definition],
        pairs: set[tuple[str, str]],
    ) -> None:
        self.defs_a, self.defs_b, self.pairs = defs_a, defs_b, pairs

    def same_ref(self, a: str, b: str) -> bool:
        return (a, b) in self.pairs

    def norm_a(self, t: TypeRef | None) -> TypeRef | None:
        return normalize(t, self.defs_a)

    def norm_b(self, t: TypeRef | None) -> TypeRef | None:
        return normalize(t, self.defs_b)

    def became_union(self, a_name: str) -> tuple[str, ...]:
        """If the A object ``a_name`` is a union alias in B: the names of its alternatives."""
        for x, y in self.pairs:
            if x == a_name and y in self.defs_b and self.defs_b[y].kind == "alias":
                alias = self.defs_b[y].alias
                if isinstance(alias, Union_) and all(isinstance(m, Ref) for m in alias.members):
                    return tuple(m.name for m in alias.members if isinstance(m, Ref))
        return ()
