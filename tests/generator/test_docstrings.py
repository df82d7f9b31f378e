"""Docstrings carry schema.ts prose, never schema.json's flattened ``{@link X | y}`` tags."""

from __future__ import annotations

import re

from mcp_foundry.sources.store import revision_dir

LINK = re.compile(r"\{@link\s+([^}|\s]+)\s*\|\s*([^}]+?)\s*\}")


def test_no_flattened_links_in_generated_docstrings(revision: str, models_source: str) -> None:
    ts = (revision_dir(revision) / "schema.ts").read_text(encoding="utf-8")
    flattened = {target + label for target, label in LINK.findall(ts)}
    models = models_source
    assert "class CallToolResult(MCPModel):" in models
    assert "{@link" not in models
    leaked = sorted(f for f in flattened if f in models)
    assert not leaked, f"schema.json's flattened link text reached the docstrings: {leaked}"
