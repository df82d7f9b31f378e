"""Which capability gates which method: a table taken from the spec prose.

The schema does not link methods to capabilities; each server/client feature page of the
spec does ("Servers that support tools MUST declare the tools capability"). The table is
checked against every revision's ``ServerCapabilities``/``ClientCapabilities`` definition:
a path that does not exist there is an error, never silently dropped.

For methods sent in both directions (``tasks/list``, ``tasks/cancel``) the gate is declared
by whichever side receives the call; ``holder`` names the server-side case.
"""

from __future__ import annotations

from collections.abc import Mapping

from mcp_foundry.ir.errors import GeneratorError
from mcp_foundry.ir.model import CapabilityGate, Definition, MapOf, Ref
from mcp_foundry.sources.registry import ALWAYS, Range, since

# method -> (holder, capability path, the revisions it applies to)
GATES: dict[str, tuple[str, tuple[str, ...], Range]] = {
    "resources/list": ("server", ("resources",), ALWAYS),
    "resources/templates/list": ("server", ("resources",), ALWAYS),
    "resources/read": ("server", ("resources",), ALWAYS),
    "resources/subscribe": ("server", ("resources", "subscribe"), ALWAYS),
    "resources/unsubscribe": ("server", ("resources", "subscribe"), ALWAYS),
    "notifications/resources/updated": ("server", ("resources", "subscribe"), ALWAYS),
    "notifications/resources/list_changed": ("server", ("resources", "listChanged"), ALWAYS),
    "prompts/list": ("server", ("prompts",), ALWAYS),
    "prompts/get": ("server", ("prompts",), ALWAYS),
    "notifications/prompts/list_changed": ("server", ("prompts", "listChanged"), ALWAYS),
    "tools/list": ("server", ("tools",), ALWAYS),
    "tools/call": ("server", ("tools",), ALWAYS),
    "notifications/tools/list_changed": ("server", ("tools", "listChanged"), ALWAYS),
    "logging/setLevel": ("server", ("logging",), ALWAYS),
    "notifications/message": ("server", ("logging",), ALWAYS),
    # 2024-11-05 had no `completions` capability: completion/complete was ungated.
    "completion/complete": ("server", ("completions",), since("2025-03-26")),
    "sampling/createMessage": ("client", ("sampling",), ALWAYS),
    "roots/list": ("client", ("roots",), ALWAYS),
    "notifications/roots/list_changed": ("client", ("roots", "listChanged"), ALWAYS),
    "elicitation/create": ("client", ("elicitation",), since("2025-06-18")),
    "notifications/elicitation/complete": ("client", ("elicitation", "url"), since("2025-11-25")),
    "tasks/list": ("server", ("tasks", "list"), since("2025-11-25")),
    "tasks/cancel": ("server", ("tasks", "cancel"), since("2025-11-25")),
}


class CapabilityTableError(GeneratorError):
    """The capability table names a path the revision's capabilities schema lacks."""


def gate_for(
    method: str, revision: str, definitions: Mapping[str, Definition]
) -> CapabilityGate | None:
    """The validated gate of ``method`` in ``revision``, or ``None`` when ungated."""
    entry = GATES.get(method)
    if entry is None or revision not in entry[2]:
        return None
    holder, path, _ = entry
    owner = "ServerCapabilities" if holder == "server" else "ClientCapabilities"
    current: Definition | None = definitions.get(owner)
    for step in path:
        prop = current.property(step) if current is not None else None
        if prop is None:
            raise CapabilityTableError(
                f"{revision}: capability path {'.'.join(path)} of {method} "
                f"does not exist in {owner}"
            )
        target = prop.type
        current = definitions.get(target.name) if isinstance(target, Ref) else None
        if current is not None and current.kind != "object":
            current = None
        if isinstance(target, MapOf) and step != path[-1]:
            raise CapabilityTableError(f"{revision}: {owner}.{step} is a map, not a record")
    return CapabilityGate(holder="server" if holder == "server" else "client", path=path)
