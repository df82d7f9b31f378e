"""Where tokens and client registrations live between requests and runs.

A store is a small async key → JSON-object map. Keys are ``tokens <resource>`` and
``client <issuer>``: tokens belong to one MCP server, a registration to one
authorization server (a registration is never presented to another, SEP-2352).
:class:`MemoryTokenStore` is the default; :class:`FileTokenStore` keeps them across runs
of a command-line tool in one JSON file readable by its owner only.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Protocol

import anyio


class TokenStore(Protocol):
    async def load(self, key: str) -> dict[str, Any] | None: ...

    async def save(self, key: str, value: dict[str, Any] | None) -> None:
        """Store ``value`` under ``key``; ``None`` forgets the key."""


class MemoryTokenStore:
    """Kept for the life of the object."""

    def __init__(self) -> None:
        self._data: dict[str, dict[str, Any]] = {}

    async def load(self, key: str) -> dict[str, Any] | None:
        return self._data.get(key)

    async def save(self, key: str, value: dict[str, Any] | None) -> None:
        if value is None:
            self._data.pop(key, None)
        else:
            self._data[key] = value


class FileTokenStore:
    """One JSON file (mode 0600), rewritten atomically on every change."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path).expanduser()
        self._lock = anyio.Lock()

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except (FileNotFoundError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=1, sort_keys=True)
        os.replace(temporary, self.path)

    async def load(self, key: str) -> dict[str, Any] | None:
        async with self._lock:
            value = (await anyio.to_thread.run_sync(self._read)).get(key)
        return value if isinstance(value, dict) else None

    async def save(self, key: str, value: dict[str, Any] | None) -> None:
        async with self._lock:
            data = await anyio.to_thread.run_sync(self._read)
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
            await anyio.to_thread.run_sync(self._write, data)
