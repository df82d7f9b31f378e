"""Knobs of the HTTP server transport, with safe defaults for a local server."""

from __future__ import annotations

from typing import NamedTuple

from mcp_foundry.runtime.http.security import HostPolicy


class HttpConfig(NamedTuple):
    """How the Streamable HTTP endpoint behaves; every field has a local-first default.
    (A named tuple: a frozen dataclass's generated methods are compiled at server start.)"""

    path: str = "/mcp"
    """The MCP endpoint."""
    legacy_sse: bool = True
    """Also host the deprecated 2024-11-05 HTTP+SSE transport (``/sse`` + ``/messages``)."""
    hosts: HostPolicy = HostPolicy()
    max_body_bytes: int = 4 * 1024 * 1024
    """Larger POST bodies get 413 without being read."""
    always_sse: bool = False
    """Answer every request as an SSE stream, even when nothing but the result comes."""
    retry_ms: int = 1000
    """The ``retry:`` hint of priming events: how soon a dropped client should resume."""
    keepalive_s: float = 15.0
    """Idle long-lived streams get an SSE comment this often."""
    session_idle_s: float = 3600.0
    """Legacy sessions unused this long are terminated."""
    max_sessions: int = 10_000
