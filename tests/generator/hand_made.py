"""A revision's IR made by hand from a few definitions, for emitter tests that look at
one shape at a time."""

from __future__ import annotations

from mcp_foundry.ir.model import Definition, RevisionIR


def revision_of(*definitions: Definition) -> RevisionIR:
    """A modern revision named ``test`` holding ``definitions`` and no methods."""
    return RevisionIR(
        revision="test",
        era="modern",
        jsonrpc_version="2.0",
        latest_protocol_version="test",
        definitions={d.name: d for d in definitions},
        methods={},
    )
