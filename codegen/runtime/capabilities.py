"""Capability objects walked by path, as the method tables' gates name them
(``("extensions", "io.modelcontextprotocol/tasks")``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

INPUT_CAPABILITY = {
    "elicitation/create": "elicitation",
    "sampling/createMessage": "sampling",
    "roots/list": "roots",
}
"""Which client capability each kind of input request needs (the capability gates of
the method tables say the same; this is the fallback when a table has no gate)."""


def has_path(capabilities: Mapping[str, Any], path: tuple[str, ...]) -> bool:
    """True when ``capabilities`` declares the (nested) capability at ``path``."""
    node: Any = capabilities
    for part in path:
        if not isinstance(node, Mapping) or part not in node:
            return False
        node = node[part]
    return True


def path_object(path: tuple[str, ...]) -> dict[str, Any]:
    """``("extensions", "x")`` → ``{"extensions": {"x": {}}}`` (for ``requiredCapabilities``)."""
    node: dict[str, Any] = {}
    for key in reversed(path):
        node = {key: node}
    return node
