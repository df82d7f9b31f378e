"""The one error the server-surface commands report as a single line."""

from __future__ import annotations


class SurfaceError(ValueError):
    """A source cannot be read, a server cannot be reached, or a surface cannot be bound."""
