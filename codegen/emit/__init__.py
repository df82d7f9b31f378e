"""Emitters: one per generated file, each a pure function of a :class:`RevisionIR`."""

from __future__ import annotations

from mcp_foundry.emit.handlers import emit_handlers
from mcp_foundry.emit.methods import emit_methods
from mcp_foundry.emit.models import emit_models
from mcp_foundry.emit.package import emit_package_init
from mcp_foundry.ir.model import RevisionIR


def package_name(revision: str) -> str:
    """``2025-11-25`` → ``rev_2025_11_25`` (same rule as ``generated.package_name``)."""
    return "rev_" + revision.replace("-", "_")


def emit_revision(ir: RevisionIR) -> dict[str, str]:
    """File name → content of the revision's generated package (a flat folder)."""
    return {
        "__init__.py": emit_package_init(ir),
        "handlers.py": emit_handlers(ir),
        "methods.py": emit_methods(ir),
        **emit_models(ir),
        "py.typed": "",
    }
