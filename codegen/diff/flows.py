"""Who sends each definition on the wire: the client, the server, or both.

A change to a shape breaks whoever *receives* it from a peer of the other version, so
every field-level rule needs to know the sender. It is derived from the method table:
a request or notification travels from its origin, its results travel back, and every
definition reachable from them inherits that sender.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from mcp_foundry.diff.typeref import refs_in
from mcp_foundry.ir.model import Definition, Method, RevisionIR

Sender = str  # "client" | "server"
BOTH: frozenset[Sender] = frozenset({"client", "server"})
ORIGINS: dict[str, frozenset[Sender]] = {
    "client_to_server": frozenset({"client"}),
    "server_to_client": frozenset({"server"}),
    "both": BOTH,
}


def other(side: Sender) -> Sender:
    return "server" if side == "client" else "client"


def origins(method: Method) -> frozenset[Sender]:
    return ORIGINS[method.direction]


def _children(definition: Definition) -> Iterable[str]:
    for prop in definition.properties:
        yield from refs_in(prop.type)
    yield from refs_in(definition.alias)
    yield from refs_in(definition.extra_type)


def senders(ir: RevisionIR) -> Mapping[str, frozenset[Sender]]:
    """Definition name → the sides that send it. Unreachable definitions (envelopes,
    error shapes, bases) count as sent by both: nothing says otherwise."""
    found: dict[str, set[Sender]] = {}
    pending: list[tuple[str, frozenset[Sender]]] = []
    for method in ir.methods.values():
        sent_by = origins(method)
        replied_by = frozenset(other(s) for s in sent_by)
        pending += [(name, sent_by) for name in (method.message, method.params) if name]
        pending += [(name, replied_by) for name in (method.result, *method.alt_results) if name]
    while pending:
        name, sides = pending.pop()
        have = found.setdefault(name, set())
        if sides <= have or name not in ir.definitions:
            continue
        have |= sides
        pending += [(child, frozenset(have)) for child in _children(ir.definitions[name])]
    return {name: frozenset(found.get(name) or BOTH) for name in ir.definitions}
