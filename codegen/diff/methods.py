"""Changes of the method table: methods added or removed, their kind, direction, channel
(standalone message or only inside ``InputRequiredResult.inputRequests``), params,
results and capability gates."""

from __future__ import annotations

from collections.abc import Iterator

from mcp_foundry.diff.classify import pairing, plural
from mcp_foundry.diff.context import Context
from mcp_foundry.diff.flows import ORIGINS, origins, other
from mcp_foundry.diff.model import (
    EVERYONE,
    NOBODY,
    Area,
    Breaks,
    Change,
    Kind,
    Severity,
    one_line,
)
from mcp_foundry.ir.model import CapabilityGate, Method

ARROWS = {
    "client_to_server": "client → server",
    "server_to_client": "server → client",
    "both": "both ways",
}


def _describe(m: Method) -> str:
    channel = " (inside InputRequiredResult)" if m.input_only else ""
    return f"{m.kind} {ARROWS[m.direction]}{channel}"


def _gate(gate: CapabilityGate | None) -> str | None:
    return None if gate is None else f"{gate.holder}.{'.'.join(gate.path)}"


def _old_senders(m: Method) -> Breaks:
    """Pairings in which an old peer that sends ``m`` meets a new one."""
    result = NOBODY
    for side in origins(m):
        result |= pairing(side)
    return result


def diff_methods(ctx: Context) -> Iterator[Change]:
    a, b = ctx.a.methods, ctx.b.methods
    for name in sorted(a.keys() - b.keys()):
        m = a[name]
        who = plural(origins(m))
        if m.kind == "request":
            yield Change(
                Kind.METHOD_REMOVED,
                Area.METHOD,
                name,
                _describe(m),
                None,
                Severity.BREAKING,
                _old_senders(m),
                f"old {who} still send it; new peers answer -32601 Method not found",
            )
        else:
            yield Change(
                Kind.METHOD_REMOVED,
                Area.METHOD,
                name,
                _describe(m),
                None,
                Severity.WARNING,
                _old_senders(m),
                f"old {who} still send it; new peers ignore it",
            )
    for name in sorted(b.keys() - a.keys()):
        m = b[name]
        yield Change(
            Kind.METHOD_ADDED,
            Area.METHOD,
            name,
            None,
            _describe(m),
            Severity.COMPATIBLE,
            NOBODY,
            f"new; old {plural(other(s) for s in origins(m))} do not handle it"
            + (f" (gated by {_gate(m.capability)})" if m.capability else ""),
        )
    for name in sorted(a.keys() & b.keys()):
        yield from _method(ctx, a[name], b[name])


def _method(ctx: Context, ma: Method, mb: Method) -> Iterator[Change]:
    name = ma.method

    def change(
        kind: Kind,
        before: str | None,
        after: str | None,
        severity: Severity,
        breaks: Breaks,
        reason: str,
    ) -> Change:
        return Change(kind, Area.METHOD, name, before, after, severity, breaks, reason)

    if ma.kind != mb.kind:
        yield change(
            Kind.METHOD_KIND_CHANGED,
            ma.kind,
            mb.kind,
            Severity.BREAKING,
            EVERYONE,
            "requests expect an answer, notifications never get one",
        )
    if ma.direction != mb.direction:
        gained, lost = (
            ORIGINS[mb.direction] - ORIGINS[ma.direction],
            ORIGINS[ma.direction] - ORIGINS[mb.direction],
        )
        breaks, reasons = NOBODY, []
        for side in sorted(gained):  # new senders reach old receivers without a handler
            breaks |= pairing(other(side))
            reasons.append(f"new {side}s send it, old {other(side)}s do not handle it")
        for side in sorted(lost):  # old senders reach new receivers without a handler
            breaks |= pairing(side)
            reasons.append(f"old {side}s still send it, new {other(side)}s no longer handle it")
        yield change(
            Kind.METHOD_DIRECTION_CHANGED,
            ARROWS[ma.direction],
            ARROWS[mb.direction],
            Severity.BREAKING,
            breaks,
            "; ".join(reasons),
        )
    if ma.input_only != mb.input_only:
        reason = (
            "now travels only inside InputRequiredResult.inputRequests: old peers send or expect it"
            " as a standalone request, new peers embed it in a result"
            if mb.input_only
            else "now a standalone request again: it no longer arrives inside InputRequiredResult"
        )
        yield change(
            Kind.METHOD_CHANNEL_CHANGED,
            _describe(ma),
            _describe(mb),
            Severity.BREAKING,
            EVERYONE,
            reason,
        )
    senders = plural(origins(mb))
    if ma.params_required != mb.params_required:
        if mb.params_required:
            yield change(
                Kind.METHOD_PARAMS_REQUIRED_CHANGED,
                "params optional",
                "params required",
                Severity.BREAKING,
                _old_senders(mb),
                f"old {senders} may omit params",
            )
        else:
            breaks = NOBODY
            for side in origins(mb):
                breaks |= pairing(other(side))
            yield change(
                Kind.METHOD_PARAMS_REQUIRED_CHANGED,
                "params required",
                "params optional",
                Severity.BREAKING,
                breaks,
                f"new {senders} may omit params old receivers expect",
            )
    same = ctx.scope.same_ref
    for kind, before, after, subject in (
        (Kind.METHOD_PARAMS_CHANGED, ma.params, mb.params, "params are"),
        (Kind.METHOD_RESULT_CHANGED, ma.result, mb.result, "the result is"),
    ):
        if before != after and not (before and after and same(before, after)):
            yield change(
                kind,
                before,
                after,
                Severity.BREAKING,
                EVERYONE,
                f"{subject} a different type",
            )
    replied_by = [other(s) for s in origins(mb)]
    for alt in mb.alt_results:
        if not any(same(x, alt) for x in ma.alt_results):
            breaks = NOBODY
            for side in replied_by:  # a new replier answers an old caller
                breaks |= pairing(other(side))
            yield change(
                Kind.METHOD_ALT_RESULT_ADDED,
                None,
                alt,
                Severity.WARNING,
                breaks,
                f"new {plural(replied_by)} may answer with {alt}, which old callers do not parse",
            )
    for alt in ma.alt_results:
        if not any(same(alt, y) for y in mb.alt_results):
            breaks = NOBODY
            for side in replied_by:  # an old replier answers a new caller
                breaks |= pairing(side)
            yield change(
                Kind.METHOD_ALT_RESULT_REMOVED,
                alt,
                None,
                Severity.WARNING,
                breaks,
                f"old {plural(replied_by)} may still answer with {alt};"
                " new callers do not parse it",
            )
    if _gate(ma.capability) != _gate(mb.capability):
        yield change(
            Kind.METHOD_CAPABILITY_CHANGED,
            _gate(ma.capability),
            _gate(mb.capability),
            Severity.WARNING,
            EVERYONE,
            "peers check a different capability before calling it",
        )
    if mb.deprecated is not None and ma.deprecated is None:
        yield change(
            Kind.DEPRECATED,
            None,
            one_line(mb.deprecated),
            Severity.COMPATIBLE,
            NOBODY,
            "deprecated: still works, scheduled for removal",
        )
    elif ma.deprecated is not None and mb.deprecated is None:
        yield change(
            Kind.UNDEPRECATED,
            one_line(ma.deprecated),
            None,
            Severity.COMPATIBLE,
            NOBODY,
            "no longer deprecated",
        )
