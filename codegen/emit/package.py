"""Emit the revision package's ``__init__.py`` holding ``BINDINGS``."""

from __future__ import annotations

from mcp_foundry.emit.render import render
from mcp_foundry.ir.model import RevisionIR


def emit_package_init(ir: RevisionIR) -> str:
    return render(
        "package_init.py.j2",
        revision=ir.revision,
        era=ir.era,
        jsonrpc_version=ir.jsonrpc_version,
        batching=ir.batching,
    )
