"""Shared state for servers that run as several instances (see ``base`` for the contract).

``open_store(url)`` picks the engine: ``memory://`` (the default: this process only) or
``redis://HOST:PORT/DB`` (Redis, through the ``redis`` package's asyncio client).
``deployment(url, secret)`` adds the rule that goes with sharing: every instance seals
``requestState`` with the same key, so a store that is shared (:attr:`Store.shared`, the
one home of that fact) without one is refused.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from mcp_foundry.runtime.store.base import Store, StoreUnavailable, position_key
from mcp_foundry.runtime.store.memory import MemoryStore

if TYPE_CHECKING:
    from mcp_foundry.runtime.store.redis import RedisStore

__all__ = [
    "STATE_SECRET_ENV",
    "MemoryStore",
    "Store",
    "StoreUnavailable",
    "check_deployment",
    "deployment",
    "open_store",
    "position_key",
    "state_secret",
]

STATE_SECRET_ENV = "MCP_FOUNDRY_STATE_SECRET"
"""Where the ``requestState`` sealing key comes from when not passed in (a string)."""
MIN_SECRET_BYTES = 16


_REDIS = ("redis", "rediss", "unix")


def _engine(url: str | None) -> type[MemoryStore] | type[RedisStore]:
    """The store class ``url`` names; :class:`ValueError` (one line, for a CLI) for an
    unknown scheme."""
    scheme = urlsplit(url).scheme if url else "memory"
    if scheme == "memory":
        return MemoryStore
    if scheme not in _REDIS:
        raise ValueError(
            f"unknown store URL scheme {scheme!r}: use memory:// or redis://HOST:PORT/DB"
        )
    from mcp_foundry.runtime.store.redis import RedisStore

    return RedisStore


def open_store(url: str | None) -> Store:
    """The store a URL names (no connection is made yet)."""
    engine = _engine(url)
    if issubclass(engine, MemoryStore):
        return engine()
    return engine(url or "")


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


def _sealing_key(shared: bool, secret: bytes | str | None) -> bytes | None:
    """The ``requestState`` key for a store that is ``shared`` or not (:attr:`Store.shared`).
    A store shared between instances needs a key shared between them too (a random one
    per process would make every ``requestState`` fail on the other instances): without
    one, :class:`ValueError`."""
    key = state_secret(secret)
    if key is None and shared:
        raise ValueError(
            "a shared store needs a requestState secret shared by every instance:"
            f" pass state_secret (--state-secret-file) or set {STATE_SECRET_ENV}"
        )
    return key


def check_deployment(url: str | None, secret: bytes | str | None = None) -> bytes | None:
    """The ``requestState`` key for a deployment on store ``url`` (its engine says whether
    it is shared), checked before any store is made."""
    return _sealing_key(_engine(url).shared, secret)


def deployment(
    store: str | Store | None, secret: bytes | str | None = None
) -> tuple[Store, bytes | None]:
    """The store (``store``, or the one the URL ``store`` names) and its sealing key,
    refused (:class:`ValueError`) when the store is shared and the key is not."""
    made = store if store is not None and not isinstance(store, str) else open_store(store)
    return made, _sealing_key(made.shared, secret)
