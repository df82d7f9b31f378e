"""Which protocol revisions the runtime serves: every wire version of the registry whose
bindings are generated (:mod:`mcp_foundry.sources.registry` knows the eras and the order);
and how a legacy ``initialize`` picks one (lifecycle.mdx: the requested version when
supported, else the server's latest legacy version)."""

from __future__ import annotations

import importlib
from functools import cache

from mcp_foundry import generated
from mcp_foundry.bindings import RevisionBindings
from mcp_foundry.sources import registry

PROTOCOL_VERSION_KEY = "io.modelcontextprotocol/protocolVersion"
CLIENT_CAPABILITIES_KEY = "io.modelcontextprotocol/clientCapabilities"
CLIENT_INFO_KEY = "io.modelcontextprotocol/clientInfo"
LOG_LEVEL_KEY = "io.modelcontextprotocol/logLevel"
SERVER_INFO_KEY = "io.modelcontextprotocol/serverInfo"
SUBSCRIPTION_ID_KEY = "io.modelcontextprotocol/subscriptionId"
RELATED_TASK_KEY = "io.modelcontextprotocol/related-task"
"""``_meta`` key marking a message as part of a task (2025-11-25 tasks.mdx)."""


@cache
def bindings(revision: str) -> RevisionBindings:
    return generated.load(revision)


@cache
def _generated() -> dict[str, registry.Revision]:
    """Revisions with generated bindings, in registry order. Read once per process, as the
    bindings themselves are imported once: each carries the era the registry gave it when
    it was generated, so the answer cannot change under a running process (a revision
    added or generated later is seen by the next one)."""
    present = set(generated.available())
    return {r.name: r for r in registry.registry() if r.name in present}


def available() -> tuple[str, ...]:
    """Wire versions whose bindings are generated, oldest first."""
    return tuple(name for name, known in _generated().items() if known.wire)


def is_modern(revision: object) -> bool:
    """Whether ``revision``'s bindings are stateless; ``False`` for ``None`` or any name
    without bindings (a peer may send anything as its version)."""
    known = _generated().get(revision) if isinstance(revision, str) else None
    return known is not None and known.era == "modern"


def is_older(revision: str, than: str) -> bool:
    """Registry order between two wire versions; ``False`` when either is not one."""
    first, second = registry.find(revision), registry.find(than)
    return (
        first is not None
        and second is not None
        and first.wire
        and second.wire
        and first.position < second.position
    )


def handler_revision(handlers: object) -> str:
    """The revision whose generated ``ServerHandlers``/``ClientHandlers`` ``handlers``
    subclasses, else the newest generated wire version."""
    for cls in type(handlers).__mro__:
        if generated.is_generated(cls.__module__):
            package = cls.__module__.rsplit(".", 1)[0]
            return str(importlib.import_module(package).BINDINGS.revision)
    return available()[-1]


def negotiate_legacy(requested: object, supported: tuple[str, ...]) -> str | None:
    """The version an ``initialize`` answer carries; ``None`` if no legacy one is served."""
    legacy = [v for v in supported if v in registry.of_era("legacy")]
    if not legacy:
        return None
    if isinstance(requested, str) and requested in legacy:
        return requested
    return legacy[-1]
