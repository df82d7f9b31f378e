"""Ready-to-paste host configuration: the ``mcpServers`` object desktop hosts read.

A stdio entry launches the installed console script; an HTTP entry points at the
server's default local endpoint.
"""

from __future__ import annotations

from typing import Any

from mcp_foundry.scaffold.options import ProjectOptions


def http_url(options: ProjectOptions) -> str:
    return f"http://127.0.0.1:{options.http_port}/mcp"


def http_entry_name(options: ProjectOptions) -> str:
    """The HTTP entry's key: the bare name unless the stdio entry already uses it."""
    return f"{options.name}-http" if "stdio" in options.transports else options.name


def mcp_servers(options: ProjectOptions) -> dict[str, Any]:
    entries: dict[str, Any] = {}
    if "stdio" in options.transports:
        entries[options.name] = {"command": options.name, "args": ["--transport", "stdio"]}
    if "http" in options.transports:
        entries[http_entry_name(options)] = {"type": "http", "url": http_url(options)}
    return {"mcpServers": entries}
