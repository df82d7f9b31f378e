"""Errors an authored server raises, split by who should see them.

``ToolError`` is the tool's own failure: the model sees it, message included, as a
``CallToolResult`` with ``isError: true``. Any other exception from a tool is logged on
the server and the peer reads only "Tool <name> failed": exception text can carry paths
and secrets. ``RpcError`` (the runtime's) is a protocol failure answered as a
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
    """Raised inside a tool: its message reaches the caller as an ``isError`` tool result."""
