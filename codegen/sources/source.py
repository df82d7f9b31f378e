"""What a place that holds upstream schema files must offer, and how ``--from`` picks one."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from mcp_foundry import paths

DEFAULT_LOCAL = paths.SHARED_SPEC


class SchemaSource(Protocol):
    """Files laid out like the upstream repository, at some commit."""

    def read(self, repository: str, commit: str, path: str) -> bytes:
        """The bytes of ``path`` (repository-relative), or :class:`SchemaSourceError`."""
        ...

    def list_files(self, repository: str, commit: str, directory: str) -> list[str]:
        """Every file under ``directory``, relative to it (for ``schema add``)."""
        ...

    def where(self, repository: str, commit: str, path: str) -> str:
        """A human-readable location of ``path`` for error messages."""
        ...

    def close(self) -> None: ...


def open_source(location: str | None) -> SchemaSource:
    """``--from``: a URL means raw files over HTTP, anything else a local folder.

    Without ``--from``: the shared checkout when it exists, else upstream over HTTP.
    """
    from mcp_foundry.sources.local import LocalSource
    from mcp_foundry.sources.remote import HttpSource

    if location is None:
        return LocalSource(DEFAULT_LOCAL) if DEFAULT_LOCAL.is_dir() else HttpSource()
    if location.startswith(("http://", "https://")):
        return HttpSource(location)
    return LocalSource(Path(location))
