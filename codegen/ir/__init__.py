"""The generator's intermediate representation: one validated :class:`RevisionIR` per
revision, built from schema.ts and schema.json together.

``load_revision("2026-07-28")`` is the entry point for pinned revisions, ``build_ir``
for parsed sources from anywhere else; emitters and ``mcp-foundry diff`` read only what
they return (see :mod:`mcp_foundry.ir.model`).
"""

from __future__ import annotations

from mcp_foundry.ir.loader import build_ir, disagreements, load_revision, revision_sources
from mcp_foundry.ir.model import RevisionIR

__all__ = ["RevisionIR", "build_ir", "disagreements", "load_revision", "revision_sources"]
