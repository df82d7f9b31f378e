"""Compare two revisions' IRs into one sorted :class:`DiffReport`."""

from __future__ import annotations

from codegen.diff.context import Context
from codegen.diff.definitions import diff_definitions
from codegen.diff.methods import diff_methods
from codegen.diff.model import DiffReport, Side
from codegen.diff.protocol import diff_protocol
from codegen.ir.model import RevisionIR


def compare(a: RevisionIR, b: RevisionIR, before: Side, after: Side) -> DiffReport:
    ctx = Context(a, b)
    changes = [*diff_protocol(ctx), *diff_methods(ctx), *diff_definitions(ctx)]
    return DiffReport(before, after, tuple(sorted(changes, key=lambda c: c.sort_key)))
