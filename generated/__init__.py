"""Generated protocol bindings, one subpackage per revision (build output, not in git).

Rebuild with ``mcp-foundry generate``. ``load("2025-11-25")`` returns that revision's
:class:`mcp_foundry.bindings.RevisionBindings`.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from mcp_foundry.bindings import RevisionBindings


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
    """Revisions with generated bindings present, oldest first (``draft`` last)."""
    here = Path(__file__).parent
    found = [p.name[4:] for p in here.glob("rev_*") if (p / "__init__.py").exists()]
    revisions = sorted(r.replace("_", "-") for r in found if r != "draft")
    return revisions + (["draft"] if "draft" in found else [])
