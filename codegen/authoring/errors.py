"""Errors an authored server raises, split by who should see them.

``ToolError`` is the tool's own failure: the model sees it as a ``CallToolResult`` with
``isError: true``. ``RpcError`` (the runtime's) is a protocol failure answered as a
JSON-RPC error.
"""

from __future__ import annotations

from mcp_foundry.runtime.errors import (
    HEADER_MISMATCH,
    INTERNAL_ERROR,
    INVALID_PARAMS,
    METHOD_NOT_FOUND,
    MISSING_REQUIRED_CLIENT_CAPABILITY,
    RpcError,
    missing_capability,
)

__all__ = [
    "HEADER_MISMATCH",
    "INTERNAL_ERROR",
    "INVALID_PARAMS",
    "METHOD_NOT_FOUND",
    "MISSING_REQUIRED_CLIENT_CAPABILITY",
    "RpcError",
    "ToolError",
    "missing_capability",
]


class ToolError(Exception):
    """Raised inside a tool: reported to the caller as an ``isError`` tool result."""
