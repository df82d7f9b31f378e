"""Where the generator reads a revision's schema files from (the one switch point)."""

from __future__ import annotations

from pathlib import Path

from codegen.paths import ROOT

# Until codegen.sources.store lands, read the shared upstream checkout directly.
_UPSTREAM = ROOT.parent / "shared" / "mcp-spec" / "schema"


def schema_dir(revision: str) -> Path:
    """Folder holding ``schema.ts``, ``schema.json`` and ``examples/`` of ``revision``."""
    folder = _UPSTREAM / revision
    if not (folder / "schema.json").is_file():
        raise LookupError(f"no schema files for revision {revision!r} under {_UPSTREAM}")
    return folder


REVISIONS = ("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28", "draft")
