"""Compare two surfaces of one server into a :class:`~mcp_foundry.diff.model.DiffReport`,
the protocol diff's own report (same renderers, same ``--fail-on`` gate).

The pairings keep the protocol diff's meaning, with the server's callers as clients:
``old_client_new_server`` is a caller built against A (say, bindings generated from it)
talking to release B; ``old_server_new_client`` a caller built against B reaching a
server still at A. Breaking means breaking the former: existing callers of the release.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mcp_foundry.diff.classify import Impact
from mcp_foundry.diff.model import Area, Change, DiffReport, Kind, Side
from mcp_foundry.servergen.schemadiff import SchemaDiff, Site, classify, render
from mcp_foundry.servergen.schemas import prompt_arguments
from mcp_foundry.servergen.surface import Surface
from mcp_foundry.servergen.uritemplate import variables

EMPTY: dict[str, Any] = {"type": "object"}


def _by_name(items: tuple[dict[str, Any], ...]) -> dict[str, dict[str, Any]]:
    return {str(item["name"]): item for item in items}


def _presence(
    area: Area, kinds: tuple[Kind, Kind], a: dict[str, Any], b: dict[str, Any]
) -> Iterator[Change]:
    """Items removed (old callers still ask for them) and added (only new callers ask)."""
    site = Site(area, "client", "")
    added, removed = kinds
    for name in sorted(a.keys() - b.keys()):
        yield classify(
            site, removed, name, name, None, Impact.OLD_SENDER, "old {sender} still ask for it"
        )
    for name in sorted(b.keys() - a.keys()):
        yield classify(
            site,
            added,
            name,
            None,
            name,
            Impact.OLD_RECEIVER,
            "new {sender} that ask for it fail on old {receiver}",
        )


def _tool(name: str, a: dict[str, Any], b: dict[str, Any]) -> Iterator[Change]:
    inputs = Site(Area.ARGUMENT, "client", f"{name}(", ")")
    in_a, in_b = a.get("inputSchema") or EMPTY, b.get("inputSchema") or EMPTY
    yield from SchemaDiff(inputs, in_a, in_b).compare(in_a, in_b, "")
    out_a, out_b = a.get("outputSchema"), b.get("outputSchema")
    outputs = Site(Area.OUTPUT, "server", f"{name}() -> ")
    if isinstance(out_a, dict) and isinstance(out_b, dict):
        yield from SchemaDiff(outputs, out_a, out_b).compare(out_a, out_b, "")
    elif isinstance(out_a, dict) or isinstance(out_b, dict):
        site = Site(Area.TOOL, "server", "")
        if isinstance(out_a, dict):
            yield classify(
                site,
                Kind.OUTPUT_SCHEMA_REMOVED,
                name,
                render(out_a),
                None,
                Impact.OLD_RECEIVER,
                "old {receiver} expect structured content, new {sender} may not send it",
            )
        else:
            yield classify(
                site,
                Kind.OUTPUT_SCHEMA_ADDED,
                name,
                None,
                render(out_b),
                Impact.NONE,
                "structured content now declared; old {receiver} still read the content",
            )


def _prompt(name: str, a: dict[str, Any], b: dict[str, Any]) -> Iterator[Change]:
    args_a, args_b = prompt_arguments(a), prompt_arguments(b)
    site = Site(Area.PROMPT, "client", f"{name}(", ")")
    yield from SchemaDiff(site, args_a, args_b).compare(args_a, args_b, "")


def _template(name: str, a: dict[str, Any], b: dict[str, Any]) -> Iterator[Change]:
    uri_a, uri_b = str(a.get("uriTemplate", "")), str(b.get("uriTemplate", ""))
    if uri_a == uri_b:
        return
    same = variables(uri_a) == variables(uri_b)
    yield classify(
        Site(Area.RESOURCE_TEMPLATE, "client", ""),
        Kind.URI_TEMPLATE_CHANGED,
        name,
        uri_a,
        uri_b,
        Impact.BOTH,
        "URIs built from either template may not be served by the other"
        + ("" if same else "; its variables changed"),
    )


def compare(a: Surface, b: Surface, label_a: str, label_b: str) -> DiffReport:
    changes: list[Change] = []
    plan = [
        (Area.TOOL, (Kind.TOOL_ADDED, Kind.TOOL_REMOVED), a.tools, b.tools, _tool),
        (Area.PROMPT, (Kind.PROMPT_ADDED, Kind.PROMPT_REMOVED), a.prompts, b.prompts, _prompt),
        (
            Area.RESOURCE_TEMPLATE,
            (Kind.RESOURCE_TEMPLATE_ADDED, Kind.RESOURCE_TEMPLATE_REMOVED),
            a.resource_templates,
            b.resource_templates,
            _template,
        ),
    ]
    for area, kinds, items_a, items_b, pair in plan:
        named_a, named_b = _by_name(items_a), _by_name(items_b)
        changes.extend(_presence(area, kinds, named_a, named_b))
        for name in sorted(named_a.keys() & named_b.keys()):
            changes.extend(pair(name, named_a[name], named_b[name]))
    return DiffReport(
        _side(label_a, a),
        _side(label_b, b),
        tuple(sorted(changes, key=lambda c: c.sort_key)),
        compared="server",
    )


def _side(label: str, surface: Surface) -> Side:
    server = surface.server or {}
    source = " ".join(str(server[k]) for k in ("name", "version") if k in server) or label
    return Side(label=label, revision=surface.protocol_version or "unknown", source=source)
