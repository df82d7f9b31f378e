"""Shared helpers: diff two real revisions (cached per process), build tiny IRs by hand."""

from __future__ import annotations

from collections.abc import Iterable

from mcp_foundry.diff.compare import compare
from mcp_foundry.diff.inputs import load_side
from mcp_foundry.diff.model import Change, DiffReport, Kind, Side
from mcp_foundry.ir.model import Definition, Method, Property, RevisionIR, TypeRef

_REPORTS: dict[tuple[str, str], DiffReport] = {}


def real_diff(a: str, b: str) -> DiffReport:
    if (a, b) not in _REPORTS:
        ir_a, side_a = load_side(a)
        ir_b, side_b = load_side(b)
        _REPORTS[(a, b)] = compare(ir_a, ir_b, side_a, side_b)
    return _REPORTS[(a, b)]


def find(report: DiffReport, kind: Kind, subject: str) -> Change:
    hits = [c for c in report.changes if c.kind is kind and c.subject == subject]
    assert hits, f"no {kind.value} for {subject}; have: " + ", ".join(
        f"{c.kind.value}:{c.subject}" for c in report.changes if subject.split(".")[0] in c.subject
    )
    return hits[0]


def absent(report: DiffReport, kind: Kind | None = None, subject: str | None = None) -> None:
    hits = [
        c
        for c in report.changes
        if (kind is None or c.kind is kind) and (subject is None or c.subject == subject)
    ]
    assert not hits, hits


def prop(name: str, t: TypeRef, required: bool = False, deprecated: str | None = None) -> Property:
    return Property(wire_name=name, py_name=name, type=t, required=required, deprecated=deprecated)


def obj(
    name: str,
    *props: Property,
    parent: str | None = None,
    bases: tuple[str, ...] = (),
    extra: str = "ignore",
) -> Definition:
    return Definition(
        name=name, kind="object", properties=props, parent=parent, bases=bases, extra=extra
    )  # type: ignore[arg-type]


def alias(name: str, t: TypeRef) -> Definition:
    return Definition(name=name, kind="alias", alias=t)


def method(
    name: str,
    message: str,
    params: str | None,
    result: str | None,
    *,
    direction: str = "client_to_server",
    kind: str = "request",
    input_only: bool = False,
    alt: tuple[str, ...] = (),
) -> Method:
    return Method(
        method=name,
        kind=kind,
        direction=direction,
        message=message,
        params=params,  # type: ignore[arg-type]
        params_required=True,
        result=result,
        alt_results=alt,
        capability=None,
        input_only=input_only,
        handler=name.replace("/", "_"),
    )


def revision(
    name: str,
    definitions: Iterable[Definition],
    methods: Iterable[Method] = (),
    era: str = "legacy",
    constants: dict[str, str | int] | None = None,
) -> RevisionIR:
    consts = {
        "JSONRPC_VERSION": "2.0",
        "LATEST_PROTOCOL_VERSION": "test",
        **(constants or {}),
    }
    return RevisionIR(
        revision=name,
        era=era,
        jsonrpc_version="2.0",
        latest_protocol_version=str(consts["LATEST_PROTOCOL_VERSION"]),  # type: ignore[arg-type]
        definitions={d.name: d for d in definitions},
        methods={m.method: m for m in methods},
        constants=consts,
        error_codes={k: v for k, v in consts.items() if isinstance(v, int)},
    )


def synthetic_diff(a: RevisionIR, b: RevisionIR) -> DiffReport:
    return compare(a, b, Side("A", a.revision, "test"), Side("B", b.revision, "test"))
