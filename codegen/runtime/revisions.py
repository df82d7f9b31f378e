"""Which protocol revisions exist on the wire, which era each belongs to, and how a
legacy ``initialize`` picks one (lifecycle.mdx: the requested version when supported,
else the server's latest legacy version)."""

from __future__ import annotations

from functools import cache

from mcp_foundry import generated
from mcp_foundry.bindings import RevisionBindings

LEGACY = ("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25")
MODERN = ("2026-07-28",)
WIRE_VERSIONS = LEGACY + MODERN
"""Protocol versions that can appear on the wire (``draft`` is not one)."""

PROTOCOL_VERSION_KEY = "io.modelcontextprotocol/protocolVersion"
CLIENT_CAPABILITIES_KEY = "io.modelcontextprotocol/clientCapabilities"
CLIENT_INFO_KEY = "io.modelcontextprotocol/clientInfo"
LOG_LEVEL_KEY = "io.modelcontextprotocol/logLevel"
SERVER_INFO_KEY = "io.modelcontextprotocol/serverInfo"
SUBSCRIPTION_ID_KEY = "io.modelcontextprotocol/subscriptionId"


@cache
def bindings(revision: str) -> RevisionBindings:
    return generated.load(revision)


def available() -> tuple[str, ...]:
    """Wire versions whose bindings are generated, oldest first."""
    present = set(generated.available())
    return tuple(v for v in WIRE_VERSIONS if v in present)


def is_modern(revision: str) -> bool:
    return revision in MODERN


def negotiate_legacy(requested: object, supported: tuple[str, ...]) -> str | None:
    """The version an ``initialize`` answer carries; ``None`` if no legacy one is served."""
    legacy = [v for v in supported if v in LEGACY]
    if not legacy:
        return None
    if isinstance(requested, str) and requested in legacy:
        return requested
    return legacy[-1]
