"""``mcp-foundry new``: render a complete, installable MCP server project.

Everything is validated and rendered in memory before a single byte is written, and the
files land through one rename, so bad input or a failure halfway leaves nothing behind.
"""

from __future__ import annotations

from pathlib import Path

from mcp_foundry.scaffold.destination import check_target, write_tree
from mcp_foundry.scaffold.errors import ScaffoldError
from mcp_foundry.scaffold.options import ProjectOptions, build_options
from mcp_foundry.scaffold.render import render_project

__all__ = ["ProjectOptions", "ScaffoldError", "build_options", "create_project"]


def create_project(options: ProjectOptions, target: Path) -> list[str]:
    """Render ``options`` into the new directory ``target``; returns the relative paths written."""
    check_target(target)  # before rendering: a doomed run should fail fast
    files = render_project(options)
    write_tree(files, target)
    return sorted(files)
