"""Where the generator reads a revision's schema files from (the one switch point)."""

from __future__ import annotations

from pathlib import Path

from mcp_foundry.sources import manifest, store


def schema_dir(revision: str) -> Path:
    """Folder holding ``schema.ts``, ``schema.json`` and ``examples/`` of ``revision``
    (the verified cache filled by ``mcp-foundry schema fetch``)."""
    return store.revision_dir(revision)


def known_revisions() -> tuple[str, ...]:
    """Every revision of the schema manifest, oldest first, ``draft`` last."""
    return tuple(manifest.load().names)


def resolve_revisions(requested: tuple[str, ...]) -> tuple[str, ...]:
    """``requested`` checked against the manifest, or every known revision when empty."""
    known = known_revisions()
    unknown = [r for r in requested if r not in known]
    if unknown:
        raise LookupError(f"unknown revision(s) {', '.join(unknown)}; known: {', '.join(known)}")
    return requested or known
