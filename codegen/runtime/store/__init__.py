"""Shared state for servers that run as several instances (see ``base`` for the contract).

``open_store(url)`` picks the engine: ``memory://`` (the default: this process only) or
``redis://HOST:PORT/DB`` (Redis, through the ``redis`` package's asyncio client).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from mcp_foundry.runtime.store.base import Store, StoreUnavailable, position_key
from mcp_foundry.runtime.store.memory import MemoryStore

__all__ = ["MemoryStore", "Store", "StoreUnavailable", "open_store", "position_key"]


def open_store(url: str | None) -> Store:
    """The store a URL names; :class:`ValueError` (one line, for a CLI) for anything else."""
    scheme = urlsplit(url).scheme if url else "memory"
    if scheme == "memory":
        return MemoryStore()
    if scheme in ("redis", "rediss", "unix"):
        from mcp_foundry.runtime.store.redis import RedisStore

        return RedisStore(url or "")
    raise ValueError(f"unknown store URL scheme {scheme!r}: use memory:// or redis://HOST:PORT/DB")
