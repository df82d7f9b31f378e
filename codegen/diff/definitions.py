"""Changes of definitions: types added, removed, renamed; fields; capability flags.

A field inherited through ``extends`` changes in every subtype at once; it is reported
once, on the base that declares it, with the pairings of all its subtypes. The same
change reached through several matched pairs (inline copies folded into one named type)
is reported once.
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from codegen.diff.classify import Impact, breaks_for, fill
from codegen.diff.context import Context
from codegen.diff.model import NOBODY, Area, Breaks, Change, Kind, Severity, one_line
from codegen.diff.typedelta import WIDER, Delta, deltas
from codegen.diff.typeref import render
from codegen.ir.model import Definition, Property, Ref, Union_

ENVELOPE = frozenset({"jsonrpc", "id"})


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
        if (
            ctx.capability_path(da.name, None) is not None
        ):  # a flag's sub-flags are gone
            found += _Pair(ctx, da, _open_object(da.name)).changes()
    shapes = ctx.method_shapes
    for name in sorted(ctx.a.definitions.keys() - ctx.matching.matched_a()):
        definition = ctx.a.definitions[name]
        if definition.parent is None and name not in shapes:
            found.append(
                _Found(
                    name,
                    None,
                    Change(
                        Kind.TYPE_REMOVED,
                        Area.TYPE,
                        name,
                        render_definition(definition),
                        None,
                        Severity.INFO,
                        NOBODY,
                        "no longer defined; wire effects are listed where it was used",
                    ),
                )
            )
    for name in sorted(
        ctx.b.definitions.keys() - ctx.matching.matched_b() - ctx.matching.from_map
    ):
        definition = ctx.b.definitions[name]
        if definition.parent is None and name not in shapes:
            found.append(
                _Found(
                    name,
                    None,
                    Change(
                        Kind.TYPE_ADDED,
                        Area.TYPE,
                        name,
                        None,
                        render_definition(definition),
                        Severity.INFO,
                        NOBODY,
                        "new definition; wire effects are listed where it is used",
                    ),
                )
            )
    return _fold(ctx, found)


def _open_object(name: str) -> Definition:
    """What an open map was, seen as an object: no described fields, any keys."""
    return Definition(name=name, kind="object", extra="allow")


def render_definition(definition: Definition) -> str:
    if definition.kind == "alias":
        return render(definition.alias)
    fields = [
        f"{p.wire_name}{'' if p.required else '?'}: {render(p.type)}"
        for p in definition.properties
    ]
    return (
        "{"
        + ", ".join([*fields, *([] if definition.extra == "ignore" else ["…"])])
        + "}"
    )


class _Pair:
    """The changes between one A definition and the B definition it matched."""

    def __init__(self, ctx: Context, da: Definition, db: Definition) -> None:
        self.ctx, self.da, self.db = ctx, da, db
        self.sent_by = ctx.sent_by(da.name, db.name)
        self.capability = ctx.capability_path(da.name, db.name)
        self.envelope = da.name in ctx.envelopes or db.name in ctx.envelopes

    def make(
        self,
        field: str | None,
        kind: Kind,
        before: str | None,
        after: str | None,
        severity: Severity,
        impact: Impact,
        reason: str,
    ) -> _Found:
        if self.capability is not None:
            area, subject = Area.CAPABILITY, (
                self.capability if field is None else f"{self.capability}.{field}"
            )
        else:
            area, subject = (
                (Area.TYPE, self.db.name)
                if field is None
                else (Area.FIELD, f"{self.db.name}.{field}")
            )
        change = Change(
            kind,
            area,
            subject,
            before,
            after,
            severity,
            breaks_for(impact, self.sent_by),
            fill(reason, self.sent_by),
        )
        return _Found(self.db.name, field, change, reason)

    def changes(self) -> list[_Found]:
        return list(self._changes())

    def _changes(self) -> Iterator[_Found]:
        da, db = self.da, self.db
        if (da.name, db.name) in self.ctx.matching.renamed:
            identical = not list(self._fields())
            yield self.make(
                None,
                Kind.TYPE_RENAMED,
                da.name,
                db.name,
                Severity.INFO,
                Impact.NONE,
                (
                    "same shape under a new name: only code that names the type changes"
                    if identical
                    else "renamed; its field changes are listed under the new name"
                ),
            )
        yield from self._deprecation(None, da.deprecated, db.deprecated)
        if da.kind == "object" and db.kind == "alias":
            alternatives = self.ctx.scope.became_union(da.name)
            if alternatives:
                yield self.make(
                    None,
                    Kind.TYPE_CHANGED,
                    render_definition(da),
                    render_definition(db),
                    Severity.BREAKING,
                    Impact.OLD_RECEIVER,
                    f"now one of {len(alternatives)} shapes: {WIDER}",
                )
                return
        if da.kind != db.kind:
            if self._message_union(da) or self._message_union(db):
                return  # a union of messages: the method changes say what changed
            yield self.make(
                None,
                Kind.TYPE_CHANGED,
                render_definition(da),
                render_definition(db),
                Severity.BREAKING,
                Impact.BOTH,
                "object and alias shapes differ",
            )
            return
        if da.kind == "alias":
            assert da.alias is not None and db.alias is not None
            for d in self._deltas(da.alias, db.alias):
                kind = (
                    Kind.TYPE_CHANGED if d.kind is Kind.FIELD_TYPE_CHANGED else d.kind
                )
                yield self.make(
                    None, kind, d.before, d.after, d.severity, d.impact, d.reason
                )
            return
        if da.extra != db.extra:
            if db.extra == "allow":
                yield self.make(
                    None,
                    Kind.OBJECT_OPENED,
                    da.extra,
                    db.extra,
                    Severity.INFO,
                    Impact.NONE,
                    "unknown keys are now kept",
                )
            else:
                yield self.make(
                    None,
                    Kind.OBJECT_CLOSED,
                    da.extra,
                    db.extra,
                    Severity.WARNING,
                    Impact.OLD_SENDER,
                    "extra keys old {sender} send are now dropped by new {receiver}",
                )
        yield from self._fields()

    def _message_union(self, definition: Definition) -> bool:
        alias = definition.alias
        return isinstance(alias, Union_) and all(
            isinstance(m, Ref) and m.name in self.ctx.method_shapes
            for m in alias.members
        )

    def _deltas(self, a: object, b: object) -> list[Delta]:
        return [d for d in deltas(a, b, self.ctx.scope) if not self._explained_by_method(d)]  # type: ignore[arg-type]

    def _explained_by_method(self, delta: Delta) -> bool:
        """A request/notification/result joining or leaving a message union is the method's change."""
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
        shown = render(prop.type)
        if self.capability is not None:
            return self.make(
                prop.wire_name,
                Kind.CAPABILITY_ADDED,
                None,
                shown,
                Severity.INFO,
                Impact.NONE,
                "a new flag; peers that do not know it ignore it",
            )
        if prop.required:
            return self.make(
                prop.wire_name,
                Kind.FIELD_ADDED,
                None,
                shown,
                Severity.BREAKING,
                Impact.OLD_SENDER,
                "required: new {receiver} expect it, old {sender} never send it",
            )
        return self.make(
            prop.wire_name,
            Kind.FIELD_ADDED,
            None,
            shown,
            Severity.INFO,
            Impact.NONE,
            "optional: old {receiver} ignore it",
        )

    def _removed(self, prop: Property) -> _Found:
        shown = render(prop.type)
        if self.capability is not None:
            return self.make(
                prop.wire_name,
                Kind.CAPABILITY_REMOVED,
                shown,
                None,
                Severity.WARNING,
                Impact.BOTH,
                "the flag is gone: the feature it announced is no longer negotiated",
            )
        if prop.required:
            return self.make(
                prop.wire_name,
                Kind.FIELD_REMOVED,
                shown,
                None,
                Severity.BREAKING,
                Impact.OLD_RECEIVER,
                "was required: old {receiver} expect it, new {sender} no longer send it",
            )
        return self.make(
            prop.wire_name,
            Kind.FIELD_REMOVED,
            shown,
            None,
            Severity.WARNING,
            Impact.OLD_SENDER,
            "was optional: what old {sender} put there is ignored by new {receiver}",
        )

    def _changed(self, old: Property, new: Property) -> Iterator[_Found]:
        name = new.wire_name
        if old.required and not new.required:
            yield self.make(
                name,
                Kind.FIELD_NOW_OPTIONAL,
                "required",
                "optional",
                Severity.BREAKING,
                Impact.OLD_RECEIVER,
                "old {receiver} expect it, new {sender} may leave it out",
            )
        if new.required and not old.required:
            yield self.make(
                name,
                Kind.FIELD_NOW_REQUIRED,
                "optional",
                "required",
                Severity.BREAKING,
                Impact.OLD_SENDER,
                "new {receiver} expect it, old {sender} may leave it out",
            )
        for d in self._deltas(old.type, new.type):
            yield self.make(
                name + d.suffix,
                d.kind,
                d.before,
                d.after,
                d.severity,
                d.impact,
                d.reason,
            )
        yield from self._deprecation(name, old.deprecated, new.deprecated)

    def _deprecation(
        self, field: str | None, before: str | None, after: str | None
    ) -> Iterator[_Found]:
        if after is not None and before is None:
            yield self.make(
                field,
                Kind.DEPRECATED,
                None,
                one_line(after),
                Severity.INFO,
                Impact.NONE,
                "deprecated: still works, scheduled for removal",
            )
        elif before is not None and after is None:
            yield self.make(
                field,
                Kind.UNDEPRECATED,
                one_line(before),
                None,
                Severity.INFO,
                Impact.NONE,
                "no longer deprecated",
            )


_Key = tuple[str, Kind, str | None, str | None, str]


def _fold(ctx: Context, found: list[_Found]) -> list[Change]:
    """One change per subject: inherited copies go to the declaring base, duplicates merge."""
    by_site: dict[tuple[str, str | None, Kind, str | None, str | None, str], _Found] = (
        {}
    )
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
