"""Emit ``methods.py``: the ``METHODS`` table, constants and error codes."""

from __future__ import annotations

from mcp_foundry.emit.render import render
from mcp_foundry.ir.model import RevisionIR


def emit_methods(ir: RevisionIR) -> str:
    return render(
        "methods.py.j2",
        revision=ir.revision,
        constants=sorted(ir.constants.items()),
        error_codes=sorted(ir.error_codes.items()),
        methods=[ir.methods[m] for m in sorted(ir.methods)],
    )
