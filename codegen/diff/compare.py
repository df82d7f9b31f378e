"""Compare two revisions' IRs into one sorted :class:`DiffReport`."""

from __future__ import annotations

from mcp_foundry.diff.context import Context
from mcp_foundry.diff.definitions import diff_definitions
from mcp_foundry.diff.methods import diff_methods
from mcp_foundry.diff.model import DiffReport, Side
from mcp_foundry.diff.protocol import diff_protocol
from mcp_foundry.ir.model import RevisionIR


def compare(a: RevisionIR, b: RevisionIR, before: Side, after: Side) -> DiffReport:
    ctx = Context(a, b)
    changes = [*diff_protocol(ctx), *diff_methods(ctx), *diff_definitions(ctx)]
    return DiffReport(before, after, tuple(sorted(changes, key=lambda c: c.sort_key)))
