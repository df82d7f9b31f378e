"""The one error ``mcp-foundry new`` reports to its user."""

from __future__ import annotations


class ScaffoldError(Exception):
    """Bad input to ``new``: the message says what is wrong and how to fix it."""
