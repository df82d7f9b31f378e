"""Changes of definitions: types added, removed, renamed; fields; capability flags.

A field inherited through ``extends`` changes in every subtype at once; it is reported
once, on the base that declares it, with the pairings of all its subtypes. The same
change reached through several matched pairs (inline copies folded into one named type)
is reported once.
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs
from mcp_foundry.diff.classify import FIELD_RULES, Impact, Rule, breaks_for, fill
from mcp_foundry.diff.context import Context
from mcp_foundry.diff.model import NOBODY, Area, Breaks, Change, Kind, Severity, one_line
from mcp_foundry.diff.typedelta import WIDER, Delta, deltas
from mcp_foundry.diff.typeref import render
from mcp_foundry.ir.model import Definition, Property, Ref, Union_

ENVELOPE = frozenset({"jsonrpc", "id"})
RENAMED = Rule(
    Kind.TYPE_RENAMED,
    Severity.COMPATIBLE,
    Impact.NONE,
    "same shape under a new name: only code that names the type changes",
)
RENAMED_AND_CHANGED = Rule(
    Kind.TYPE_RENAMED,
    Severity.COMPATIBLE,
    Impact.NONE,
    "renamed; its field changes are listed under the new name",
)
OBJECT_VS_ALIAS = Rule(
    Kind.TYPE_CHANGED, Severity.BREAKING, Impact.BOTH, "object and alias shapes differ"
)
REMOVED = Rule(
    Kind.TYPE_REMOVED,
    Severity.COMPATIBLE,
    Impact.NONE,
    "no longer defined; wire effects are listed where it was used",
)
ADDED = Rule(
    Kind.TYPE_ADDED,
    Severity.COMPATIBLE,
    Impact.NONE,
    "new definition; wire effects are listed where it is used",
)


@attrs.frozen
class _Found:
    owner: str
    """The definition the change belongs to (B's name, else A's), for inheritance folding."""
    field: str | None
    change: Change
    detail: str = ""
    """The reason before sender words were filled in: equal for a base and its subtypes."""


def diff_definitions(ctx: Context) -> list[Change]:
    found: list[_Found] = []
    for x, y in sorted(ctx.matching.pairs):
        found += _Pair(ctx, ctx.a.definitions[x], ctx.b.definitions[y]).changes()
    for y in sorted(ctx.matching.from_map - ctx.matching.matched_b()):
        db = ctx.b.definitions[y]
        found += _Pair(ctx, _open_object(db.name), db).changes()
    for x in sorted(ctx.matching.into_map - ctx.matching.matched_a()):
        da = ctx.a.definitions[x]
        if ctx.capability_path(da.name, None) is not None:  # its sub-flags are gone
            found += _Pair(ctx, da, _open_object(da.name)).changes()
    shapes = ctx.method_shapes
    removed = ctx.a.definitions.keys() - ctx.matching.matched_a()
    added = ctx.b.definitions.keys() - ctx.matching.matched_b() - ctx.matching.from_map
    for names, defs, rule in (
        (removed, ctx.a.definitions, REMOVED),
        (added, ctx.b.definitions, ADDED),
    ):
        for name in sorted(names):
            # hoisted inline objects are reported at their parent; method shapes by the method
            if defs[name].parent is None and name not in shapes:
                shown = render_definition(defs[name])
                before, after = (shown, None) if rule is REMOVED else (None, shown)
                change = Change(
                    rule.kind,
                    Area.TYPE,
                    name,
                    before,
                    after,
                    rule.severity,
                    NOBODY,
                    rule.reason,
                )
                found.append(_Found(name, None, change, rule.reason))
    return _fold(ctx, found)


def _open_map(definition: Definition) -> bool:
    return not definition.properties and definition.extra == "allow"


def _open_object(name: str) -> Definition:
    """What an open map was, seen as an object: no described fields, any keys."""
    return Definition(name=name, kind="object", extra="allow")


def render_definition(definition: Definition) -> str:
    if definition.kind == "alias":
        return render(definition.alias)
    fields = [
        f"{p.wire_name}{'' if p.required else '?'}: {render(p.type)}" for p in definition.properties
    ]
    return "{" + ", ".join([*fields, *([] if definition.extra == "ignore" else ["…"])]) + "}"


class _Pair:
    """The changes between one A definition and the B definition it matched."""

    def __init__(self, ctx: Context, da: Definition, db: Definition) -> None:
        self.ctx, self.da, self.db = ctx, da, db
        self.sent_by = ctx.sent_by(da.name, db.name)
        self.capability = ctx.capability_path(da.name, db.name)
        self.envelope = da.name in ctx.envelopes or db.name in ctx.envelopes

    def make(self, field: str | None, rule: Rule, before: str | None, after: str | None) -> _Found:
        if self.capability is not None:
            area = Area.CAPABILITY
            subject = self.capability if field is None else f"{self.capability}.{field}"
        elif field is None:
            area, subject = Area.TYPE, self.db.name
        else:
            area, subject = Area.FIELD, f"{self.db.name}.{field}"
        change = Change(
            rule.kind,
            area,
            subject,
            before,
            after,
            rule.severity,
            breaks_for(rule.impact, self.sent_by),
            fill(rule.reason, self.sent_by),
        )
        return _Found(self.db.name, field, change, rule.reason)

    def delta(self, field: str | None, d: Delta, kind: Kind | None = None) -> _Found:
        rule = Rule(kind or d.kind, d.severity, d.impact, d.reason)
        return self.make(None if field is None else field + d.suffix, rule, d.before, d.after)

    def changes(self) -> list[_Found]:
        return list(self._changes())

    def _changes(self) -> Iterator[_Found]:
        da, db = self.da, self.db
        if (da.name, db.name) in self.ctx.matching.renamed:
            identical = not list(self._fields())
            yield self.make(None, RENAMED if identical else RENAMED_AND_CHANGED, da.name, db.name)
        yield from self._deprecation(None, da.deprecated, db.deprecated)
        shapes = (render_definition(da), render_definition(db))
        if da.kind == "object" and db.kind == "alias":
            alternatives = self.ctx.scope.became_union(da.name)
            if alternatives:
                pairs = self.ctx.matching.pairs
                carried = next((n for n in alternatives if (da.name, n) in pairs), None)
                kept = f", the old one continues as {carried}" if carried else ""
                reason = f"now one of {len(alternatives)} shapes{kept}: {WIDER}"
                rule = Rule(Kind.TYPE_CHANGED, Severity.BREAKING, Impact.OLD_RECEIVER, reason)
                yield self.make(None, rule, *shapes)
                return
        if da.kind != db.kind:
            if not (self._message_union(da) or self._message_union(db)):
                yield self.make(None, OBJECT_VS_ALIAS, *shapes)
            # a union of messages changing: the method changes say what changed
            return
        if da.kind == "alias":
            assert da.alias is not None and db.alias is not None
            for d in self._deltas(da.alias, db.alias):
                yield self.delta(
                    None,
                    d,
                    Kind.TYPE_CHANGED if d.kind is Kind.FIELD_TYPE_CHANGED else None,
                )
            return
        if da.extra != db.extra and not (_open_map(da) or _open_map(db)):
            # (an open map gaining or losing described keys reports those keys instead)
            yield self.make(
                None,
                FIELD_RULES["opened" if db.extra == "allow" else "closed"],
                da.extra,
                db.extra,
            )
        yield from self._fields()

    def _message_union(self, definition: Definition) -> bool:
        alias = definition.alias
        return isinstance(alias, Union_) and all(
            isinstance(m, Ref) and m.name in self.ctx.method_shapes for m in alias.members
        )

    def _deltas(self, a: object, b: object) -> list[Delta]:
        return [d for d in deltas(a, b, self.ctx.scope) if not self._explained_by_method(d)]  # type: ignore[arg-type]

    def _explained_by_method(self, delta: Delta) -> bool:
        """A request, notification or result joining or leaving a message union is the
        method's change."""
        return delta.kind in (Kind.UNION_MEMBER_ADDED, Kind.UNION_MEMBER_REMOVED) and (
            delta.member in self.ctx.method_shapes
        )

    def _fields(self) -> Iterator[_Found]:
        da, db = self.da, self.db
        for prop in db.properties:
            if self.envelope and prop.wire_name in ENVELOPE:
                continue
            old = da.property(prop.wire_name)
            yield from (self._added(prop),) if old is None else self._changed(old, prop)
        for prop in da.properties:
            if db.property(prop.wire_name) is None and not (
                self.envelope and prop.wire_name in ENVELOPE
            ):
                yield self._removed(prop)

    def _added(self, prop: Property) -> _Found:
        situation = "flag" if self.capability else ("required" if prop.required else "optional")
        return self.make(prop.wire_name, FIELD_RULES[f"{situation} added"], None, render(prop.type))

    def _removed(self, prop: Property) -> _Found:
        situation = "flag" if self.capability else ("required" if prop.required else "optional")
        return self.make(
            prop.wire_name, FIELD_RULES[f"{situation} removed"], render(prop.type), None
        )

    def _changed(self, old: Property, new: Property) -> Iterator[_Found]:
        name = new.wire_name
        if old.required != new.required:
            rule = FIELD_RULES["now required" if new.required else "now optional"]
            yield self.make(
                name,
                rule,
                "required" if old.required else "optional",
                "required" if new.required else "optional",
            )
        for d in self._deltas(old.type, new.type):
            yield self.delta(name, d)
        yield from self._deprecation(name, old.deprecated, new.deprecated)

    def _deprecation(
        self, field: str | None, before: str | None, after: str | None
    ) -> Iterator[_Found]:
        if after is not None and before is None:
            yield self.make(field, FIELD_RULES["deprecated"], None, one_line(after))
        elif before is not None and after is None:
            yield self.make(field, FIELD_RULES["undeprecated"], one_line(before), None)


_Key = tuple[str, Kind, str | None, str | None, str]


def _fold(ctx: Context, found: list[_Found]) -> list[Change]:
    """One change per subject: inherited copies go to the declaring base, duplicates merge."""
    by_site: dict[tuple[str, str | None, Kind, str | None, str | None, str], _Found] = {}
    for f in found:
        by_site.setdefault(
            (
                f.owner,
                f.field,
                f.change.kind,
                f.change.before,
                f.change.after,
                f.detail,
            ),
            f,
        )
    merged: dict[_Key, Breaks] = {}
    kept: dict[_Key, Change] = {}
    for (owner, field, kind, before, after, detail), item in by_site.items():
        home = item
        if field is not None:
            ir = ctx.b if owner in ctx.b.definitions else ctx.a
            for base in reversed(ctx.ancestors(ir.definitions[owner], ir)):
                if (base, field, kind, before, after, detail) in by_site:
                    home = by_site[(base, field, kind, before, after, detail)]
                    break
        key: _Key = (home.change.subject, kind, before, after, detail)
        merged[key] = merged.get(key, NOBODY) | item.change.breaks
        kept.setdefault(key, home.change)
    return [attrs.evolve(change, breaks=merged[key]) for key, change in kept.items()]
