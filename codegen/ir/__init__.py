"""The generator's intermediate representation: one validated :class:`RevisionIR` per
revision, built from schema.ts and schema.json together.

``load_revision("2026-07-28")`` is the single entry point; emitters and ``mcp-codegen
diff`` read only what it returns (see :mod:`codegen.ir.model`).
"""

from __future__ import annotations

from codegen.ir.loader import disagreements, load_revision, revision_sources
from codegen.ir.model import RevisionIR

__all__ = ["RevisionIR", "disagreements", "load_revision", "revision_sources"]
