"""Protocol-wide changes: era (handshake or per-request version), batching, exported
constants and error codes."""

from __future__ import annotations

from collections.abc import Iterator

from mcp_foundry.diff.context import Context
from mcp_foundry.diff.model import EVERYONE, NOBODY, Area, Change, Kind, Severity

ERAS = {
    "legacy": "legacy: `initialize` handshake, version negotiated once per session",
    "modern": "modern: stateless, version and capabilities in every request's _meta",
}


def diff_protocol(ctx: Context) -> Iterator[Change]:
    a, b = ctx.a, ctx.b
    if a.era != b.era:
        yield Change(
            Kind.ERA_CHANGED,
            Area.PROTOCOL,
            "era",
            ERAS[a.era],
            ERAS[b.era],
            Severity.BREAKING,
            EVERYONE,
            "peers of different eras only talk through a dual-era implementation",
        )
    if a.batching != b.batching:
        if b.batching:
            yield Change(
                Kind.BATCHING_CHANGED,
                Area.PROTOCOL,
                "batching",
                "no",
                "JSON-RPC batches",
                Severity.WARNING,
                EVERYONE,
                "new peers may send batches old peers reject",
            )
        else:
            yield Change(
                Kind.BATCHING_CHANGED,
                Area.PROTOCOL,
                "batching",
                "JSON-RPC batches",
                "no",
                Severity.BREAKING,
                EVERYONE,
                "old peers may send batches new peers reject",
            )
    codes_a, codes_b = dict(a.error_codes), dict(b.error_codes)
    plain_a = {k: v for k, v in a.constants.items() if k not in codes_a}
    plain_b = {k: v for k, v in b.constants.items() if k not in codes_b}
    yield from _constants(plain_a, plain_b)
    yield from _error_codes(codes_a, codes_b)


def _constants(a: dict[str, str | int], b: dict[str, str | int]) -> Iterator[Change]:
    for name in sorted(a.keys() | b.keys()):
        before, after = a.get(name), b.get(name)
        if before == after:
            continue
        shown = (
            None if before is None else repr(before),
            None if after is None else repr(after),
        )
        if before is None:
            yield Change(
                Kind.CONSTANT_ADDED,
                Area.CONSTANT,
                name,
                *shown,
                Severity.COMPATIBLE,
                NOBODY,
                "new constant",
            )
        elif after is None:
            yield Change(
                Kind.CONSTANT_REMOVED,
                Area.CONSTANT,
                name,
                *shown,
                Severity.WARNING,
                NOBODY,
                "code that uses it no longer builds",
            )
        elif name == "LATEST_PROTOCOL_VERSION":
            yield Change(
                Kind.CONSTANT_CHANGED,
                Area.CONSTANT,
                name,
                *shown,
                Severity.COMPATIBLE,
                NOBODY,
                "the version this revision announces; version negotiation picks one both support",
            )
        else:
            yield Change(
                Kind.CONSTANT_CHANGED,
                Area.CONSTANT,
                name,
                *shown,
                Severity.BREAKING,
                EVERYONE,
                "peers of different versions disagree on the value",
            )


def _error_codes(a: dict[str, int], b: dict[str, int]) -> Iterator[Change]:
    for name in sorted(a.keys() | b.keys()):
        before, after = a.get(name), b.get(name)
        if before == after:
            continue
        shown = (
            None if before is None else str(before),
            None if after is None else str(after),
        )
        if before is None:
            yield Change(
                Kind.ERROR_CODE_ADDED,
                Area.ERROR_CODE,
                name,
                *shown,
                Severity.COMPATIBLE,
                NOBODY,
                "old peers see it as a generic error",
            )
        elif after is None:
            yield Change(
                Kind.ERROR_CODE_REMOVED,
                Area.ERROR_CODE,
                name,
                *shown,
                Severity.WARNING,
                EVERYONE,
                "old peers may still send it; new peers treat it as a generic error",
            )
        else:
            yield Change(
                Kind.ERROR_CODE_CHANGED,
                Area.ERROR_CODE,
                name,
                *shown,
                Severity.BREAKING,
                EVERYONE,
                "peers that match on the number misread each other's errors",
            )
