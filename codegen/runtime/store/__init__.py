"""Shared state for servers that run as several instances (see ``base`` for the contract).

``open_store(url)`` picks the engine: ``memory://`` (the default: this process only) or
``redis://HOST:PORT/DB`` (Redis, through the ``redis`` package's asyncio client).
``deployment(url, secret)`` adds the rule that goes with sharing: every instance seals
``requestState`` with the same key, so a shared store without one is refused.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from mcp_foundry.runtime.store.base import Store, StoreUnavailable, position_key
from mcp_foundry.runtime.store.memory import MemoryStore

__all__ = [
    "STATE_SECRET_ENV",
    "MemoryStore",
    "Store",
    "StoreUnavailable",
    "deployment",
    "open_store",
    "position_key",
    "state_secret",
]

STATE_SECRET_ENV = "MCP_FOUNDRY_STATE_SECRET"
"""Where the ``requestState`` sealing key comes from when not passed in (a string)."""
MIN_SECRET_BYTES = 16


def open_store(url: str | None) -> Store:
    """The store a URL names; :class:`ValueError` (one line, for a CLI) for anything else."""
    scheme = urlsplit(url).scheme if url else "memory"
    if scheme == "memory":
        return MemoryStore()
    if scheme in ("redis", "rediss", "unix"):
        from mcp_foundry.runtime.store.redis import RedisStore

        return RedisStore(url or "")
    raise ValueError(f"unknown store URL scheme {scheme!r}: use memory:// or redis://HOST:PORT/DB")


def state_secret(secret: bytes | str | None = None) -> bytes | None:
    """The ``requestState`` sealing key: ``secret``, else ``$MCP_FOUNDRY_STATE_SECRET``,
    else ``None`` (each process then makes a random one). :class:`ValueError` when too
    short to be a key."""
    if secret is None:
        secret = os.environ.get(STATE_SECRET_ENV) or None
    if secret is None:
        return None
    key = secret.encode() if isinstance(secret, str) else secret
    if len(key) < MIN_SECRET_BYTES:
        raise ValueError(f"the requestState secret must be at least {MIN_SECRET_BYTES} bytes")
    return key


def deployment(url: str | None, secret: bytes | str | None = None) -> tuple[Store, bytes | None]:
    """The store ``url`` names and the sealing key. A store shared between instances
    needs a key shared between them too (a random one per process would make every
    ``requestState`` fail on the other instances), so that is a :class:`ValueError`."""
    key = state_secret(secret)
    store = open_store(url)
    if key is None and not isinstance(store, MemoryStore):
        raise ValueError(
            "a shared store needs a requestState secret shared by every instance:"
            f" pass state_secret or set {STATE_SECRET_ENV}"
        )
    return store, key
