"""How one type became another at one site (a field, an alias), as classified deltas.

Widening (more values allowed) breaks old receivers hearing from new senders; narrowing
breaks old senders talking to new receivers; anything else breaks both.
"""

from __future__ import annotations

import attrs
from mcp_foundry.diff.classify import Impact
from mcp_foundry.diff.model import Kind, Severity
from mcp_foundry.diff.scope import Scope, is_open_map, optional_object
from mcp_foundry.diff.typeref import members, render, same
from mcp_foundry.ir.model import Array, Const, Enum, MapOf, Primitive, Ref, TypeRef, Union_


@attrs.frozen
class Delta:
    kind: Kind
    before: str
    after: str
    impact: Impact
    severity: Severity
    reason: str
    """May use ``{sender}``/``{receiver}`` (see :func:`mcp_foundry.diff.classify.fill`)."""
    suffix: str = ""
    """Where below the site it happened: ``[]`` (array items), ``{}`` (map values)."""
    member: str | None = None
    """For union edits: the alternative added or removed."""


WIDER = "new {sender} may send values old {receiver} reject"
NARROWER = "old {sender} may send values new {receiver} reject"


def _delta(
    kind: Kind,
    a: TypeRef,
    b: TypeRef,
    impact: Impact,
    severity: Severity,
    reason: str,
    member: str | None = None,
) -> Delta:
    return Delta(kind, render(a), render(b), impact, severity, reason, member=member)


def _widened(kind: Kind, a: TypeRef, b: TypeRef, what: str) -> Delta:
    return _delta(
        kind,
        a,
        b,
        Impact.OLD_RECEIVER,
        Severity.BREAKING,
        f"{what}: {WIDER}",
    )


def _narrowed(kind: Kind, a: TypeRef, b: TypeRef, what: str) -> Delta:
    return _delta(
        kind,
        a,
        b,
        Impact.OLD_SENDER,
        Severity.BREAKING,
        f"{what}: {NARROWER}",
    )


def _enum(a: Enum, b: Enum) -> list[Delta]:
    out = []
    added = [v for v in b.values if v not in a.values]
    removed = [v for v in a.values if v not in b.values]
    if added:
        if a.open:
            out.append(
                _delta(
                    Kind.ENUM_VALUES_ADDED,
                    a,
                    b,
                    Impact.NONE,
                    Severity.COMPATIBLE,
                    f"new known values {', '.join(added)}; the set was already open",
                )
            )
        else:
            out.append(_widened(Kind.ENUM_VALUES_ADDED, a, b, f"adds {', '.join(added)}"))
    if removed:
        if b.open:
            out.append(
                _delta(
                    Kind.ENUM_VALUES_REMOVED,
                    a,
                    b,
                    Impact.NONE,
                    Severity.COMPATIBLE,
                    f"{', '.join(removed)} no longer listed; any string is still accepted",
                )
            )
        else:
            out.append(_narrowed(Kind.ENUM_VALUES_REMOVED, a, b, f"drops {', '.join(removed)}"))
    if a.open and not b.open:
        out.append(_narrowed(Kind.FIELD_TYPE_CHANGED, a, b, "closed to the listed values"))
    if b.open and not a.open:
        out.append(_widened(Kind.FIELD_TYPE_CHANGED, a, b, "opened to any string"))
    return out


def _limits(a: Primitive, b: Primitive) -> list[Delta]:
    out = []
    if a.format != b.format:
        out.append(
            _delta(
                Kind.CONSTRAINT_CHANGED,
                a,
                b,
                Impact.BOTH,
                Severity.WARNING,
                f"format {a.format or 'none'} → {b.format or 'none'}: values are read differently",
            )
        )
    for bound, raised_is_tighter in (("minimum", True), ("maximum", False)):
        old, new = getattr(a, bound), getattr(b, bound)
        if old == new:
            continue
        tighter = new is not None and (old is None or (new > old) == raised_is_tighter)
        if tighter:
            out.append(_narrowed(Kind.CONSTRAINT_CHANGED, a, b, f"{bound} tightened"))
        else:
            out.append(
                _delta(
                    Kind.CONSTRAINT_CHANGED,
                    a,
                    b,
                    Impact.OLD_RECEIVER,
                    Severity.WARNING,
                    f"{bound} relaxed: {WIDER}",
                )
            )
    return out


_NUMERIC_WIDER = {("integer", "number")}


def _kind_change(a: TypeRef, b: TypeRef) -> Delta:
    """A change of type that is neither a union edit nor a limit: widening, narrowing or other."""
    if isinstance(a, Primitive) and isinstance(b, Primitive):
        if (a.kind, b.kind) in _NUMERIC_WIDER or b.kind == "any":
            return _widened(Kind.FIELD_TYPE_CHANGED, a, b, "type widened")
        if (b.kind, a.kind) in _NUMERIC_WIDER or a.kind == "any":
            return _narrowed(Kind.FIELD_TYPE_CHANGED, a, b, "type narrowed")
    if isinstance(b, Primitive) and isinstance(a, (Const, Enum)) and b.kind == "string":
        return _widened(Kind.FIELD_TYPE_CHANGED, a, b, "now any string")
    if isinstance(a, Primitive) and isinstance(b, (Const, Enum)) and a.kind == "string":
        return _narrowed(Kind.FIELD_TYPE_CHANGED, a, b, "now restricted to listed values")
    if isinstance(a, Const) and isinstance(b, Const):
        return _delta(
            Kind.CONST_CHANGED,
            a,
            b,
            Impact.BOTH,
            Severity.BREAKING,
            "the literal changed: peers of different versions reject each other's messages",
        )
    if isinstance(a, Const) and isinstance(b, Enum) and a.value in b.values:
        return _widened(Kind.ENUM_VALUES_ADDED, a, b, "more literals allowed")
    if isinstance(a, Enum) and isinstance(b, Const) and b.value in a.values:
        return _narrowed(Kind.ENUM_VALUES_REMOVED, a, b, "fewer literals allowed")
    if isinstance(b, Primitive) and b.kind == "any":
        return _widened(Kind.FIELD_TYPE_CHANGED, a, b, "now any JSON value")
    return _delta(
        Kind.FIELD_TYPE_CHANGED,
        a,
        b,
        Impact.BOTH,
        Severity.BREAKING,
        "incompatible type: neither version accepts what the other sends",
    )


def deltas(a: TypeRef, b: TypeRef, scope: Scope) -> list[Delta]:
    """Every classified difference between ``a`` (before) and ``b`` (after); [] if equal."""
    if same(a, b, scope.same_ref):
        return []
    na, nb = scope.norm_a(a), scope.norm_b(b)
    assert na is not None and nb is not None
    if same(na, nb, scope.same_ref):
        return []
    if is_open_map(na) and optional_object(b, scope.defs_b) is not None:
        return []  # the object's fields are reported as added (Matching.from_map)
    if optional_object(a, scope.defs_a) is not None and is_open_map(nb):
        return [
            _delta(
                Kind.FIELD_TYPE_CHANGED,
                a,
                b,
                Impact.NONE,
                Severity.COMPATIBLE,
                "now an open map: the same documents pass, the keys are no longer described",
            )
        ]
    if type(a) is not type(b):
        a, b = na, nb
    if isinstance(a, Enum) and isinstance(b, Enum):
        return _enum(a, b)
    if isinstance(a, Primitive) and isinstance(b, Primitive) and a.kind == b.kind:
        return _limits(a, b)
    if isinstance(a, Array) and isinstance(b, Array):
        out = [attrs.evolve(d, suffix="[]" + d.suffix) for d in deltas(a.item, b.item, scope)]
        if a.max_items != b.max_items:
            if b.max_items is not None and (a.max_items is None or b.max_items < a.max_items):
                out.append(_narrowed(Kind.CONSTRAINT_CHANGED, a, b, "fewer items allowed"))
            else:
                out.append(
                    _delta(
                        Kind.CONSTRAINT_CHANGED,
                        a,
                        b,
                        Impact.OLD_RECEIVER,
                        Severity.WARNING,
                        f"more items allowed: {WIDER}",
                    )
                )
        return out
    if isinstance(a, MapOf) and isinstance(b, MapOf):
        return [attrs.evolve(d, suffix="{}" + d.suffix) for d in deltas(a.value, b.value, scope)]
    if isinstance(a, Union_) or isinstance(b, Union_):
        return _union(a, b, scope)
    return [_kind_change(a, b)]


def _union(a: TypeRef, b: TypeRef, scope: Scope) -> list[Delta]:
    old, new = members(a), members(b)

    def kept(m: TypeRef, among: tuple[TypeRef, ...], forward: bool) -> bool:
        return any(
            same(m, n, scope.same_ref) if forward else same(n, m, scope.same_ref) for n in among
        )

    added = [m for m in new if not kept(m, old, False)]
    removed = [m for m in old if not kept(m, new, True)]
    # an alternative that itself became a union: its new alternatives are not new here
    new_names = {m.name for m in new if isinstance(m, Ref)}
    for m in old:
        if isinstance(m, Ref):
            split = set(scope.became_union(m.name))
            if split and split <= new_names:
                removed = [r for r in removed if r is not m]
                added = [n for n in added if not (isinstance(n, Ref) and n.name in split)]
    if (
        len(added) == 1
        and len(removed) == 1
        and not (isinstance(added[0], Ref) and isinstance(removed[0], Ref))
    ):
        # one unnamed alternative replaced by another (string → number): a change of it
        return deltas(removed[0], added[0], scope)
    out = [
        _delta(
            Kind.UNION_MEMBER_ADDED,
            a,
            b,
            Impact.OLD_RECEIVER,
            Severity.BREAKING,
            f"{render(m)} added: {WIDER}",
            member=render(m),
        )
        for m in added
    ]
    out += [
        _delta(
            Kind.UNION_MEMBER_REMOVED,
            a,
            b,
            Impact.OLD_SENDER,
            Severity.BREAKING,
            f"{render(m)} removed: {NARROWER}",
            member=render(m),
        )
        for m in removed
    ]
    return out
