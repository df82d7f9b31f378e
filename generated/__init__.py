"""Generated protocol bindings, one subpackage per revision (build output, not in git).

Rebuild with ``mcp-foundry generate``. ``load("2025-11-25")`` returns that revision's
:class:`mcp_foundry.bindings.RevisionBindings`. Folders listed in ``MCP_FOUNDRY_GENERATED``
(``os.pathsep``-separated, e.g. a ``generate --out`` folder) are searched first, so bindings
generated elsewhere are served without copying them here.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

from mcp_foundry.bindings import RevisionBindings
from mcp_foundry.sources import registry

__path__ = [
    *(p for p in os.environ.get("MCP_FOUNDRY_GENERATED", "").split(os.pathsep) if p),
    *__path__,
]


def package_name(revision: str) -> str:
    """``2025-11-25`` → ``rev_2025_11_25``; ``draft`` → ``rev_draft``."""
    return "rev_" + revision.replace("-", "_")


def module_name(revision: str) -> str:
    """The importable name of a revision's package, e.g. ``mcp_foundry.generated.rev_draft``."""
    return f"{__name__}.{package_name(revision)}"


def is_generated(module: str) -> bool:
    """True for a module inside one of the generated packages."""
    return module.startswith(f"{__name__}.")


def load(revision: str) -> RevisionBindings:
    try:
        module = importlib.import_module(module_name(revision))
    except ModuleNotFoundError as exc:
        raise LookupError(
            f"no generated bindings for revision {revision!r}; run `mcp-foundry generate`"
        ) from exc
    bindings: RevisionBindings = module.BINDINGS
    return bindings


def available() -> list[str]:
    """Known revisions with generated bindings present, in registry order."""
    present = {
        p.name
        for folder in __path__
        for p in Path(folder).glob("rev_*")
        if (p / "__init__.py").exists()
    }
    return [r for r in registry.names() if package_name(r) in present]
