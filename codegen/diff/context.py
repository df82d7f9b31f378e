"""Everything the comparers share about one pair of revisions, computed once."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

from mcp_foundry.diff.flows import BOTH, Sender, senders
from mcp_foundry.diff.matching import Matching, match
from mcp_foundry.diff.scope import Scope
from mcp_foundry.ir.model import Definition, Ref, RevisionIR

CAPABILITY_ROOTS = {"ClientCapabilities": "client", "ServerCapabilities": "server"}


def capability_paths(ir: RevisionIR) -> Mapping[str, str]:
    """Definition name → its dotted capability path (``client``, ``client.elicitation``).

    Fields of these definitions are capability flags; the reports name them by path.
    """
    found: dict[str, str] = {}
    pending = [
        (name, holder) for name, holder in CAPABILITY_ROOTS.items() if name in ir.definitions
    ]
    while pending:
        name, path = pending.pop()
        if name in found:
            continue
        found[name] = path
        for prop in ir.definitions[name].properties:
            if isinstance(prop.type, Ref) and ir.definitions[prop.type.name].kind == "object":
                pending.append((prop.type.name, f"{path}.{prop.wire_name}"))
    return found


class Context:
    def __init__(self, a: RevisionIR, b: RevisionIR) -> None:
        self.a, self.b = a, b
        self.matching: Matching = match(a, b)
        self.scope = Scope(a.definitions, b.definitions, self.matching.pairs)

    @cached_property
    def _senders(
        self,
    ) -> tuple[Mapping[str, frozenset[Sender]], Mapping[str, frozenset[Sender]]]:
        return senders(self.a), senders(self.b)

    def sent_by(self, name_a: str | None, name_b: str | None) -> frozenset[Sender]:
        """Who sends a definition, in either revision (a change matters to both)."""
        sides = self._senders[0].get(name_a or "", frozenset()) | self._senders[1].get(
            name_b or "", frozenset()
        )
        return sides or BOTH

    @cached_property
    def capabilities(self) -> tuple[Mapping[str, str], Mapping[str, str]]:
        return capability_paths(self.a), capability_paths(self.b)

    def capability_path(self, name_a: str | None, name_b: str | None) -> str | None:
        return self.capabilities[1].get(name_b or "") or self.capabilities[0].get(name_a or "")

    def ancestors(self, definition: Definition, ir: RevisionIR) -> list[str]:
        """Every base of ``definition`` (``extends`` chains), nearest first."""
        out: list[str] = []
        pending = list(definition.bases)
        while pending:
            name = pending.pop(0)
            if name not in out and name in ir.definitions:
                out.append(name)
                pending += ir.definitions[name].bases
        return out

    @cached_property
    def envelopes(self) -> frozenset[str]:
        """Message definitions and their bases, in either revision: on the wire they are
        JSON-RPC envelopes, whether or not the schema spells out ``jsonrpc`` and ``id``.
        """
        names: set[str] = set()
        for ir in (self.a, self.b):
            for m in ir.methods.values():
                names.add(m.message)
                names.update(self.ancestors(ir.definitions[m.message], ir))
        return frozenset(names)

    @cached_property
    def method_shapes(self) -> frozenset[str]:
        """Names of message, params and result definitions of any method on either side:
        their appearing or vanishing is reported once, as the method's change."""
        names: set[str] = set()
        for ir in (self.a, self.b):
            for m in ir.methods.values():
                names.update(n for n in (m.message, m.params, m.result, *m.alt_results) if n)
        return frozenset(names)
