"""Describe a new revision from a source, so adding one is a manifest entry rather than code."""

from __future__ import annotations

from mcp_foundry.sources import store
from mcp_foundry.sources.errors import SchemaSourceError
from mcp_foundry.sources.manifest import (
    UPSTREAM_REPOSITORY,
    RevisionEntry,
    SchemaFile,
    check_commit,
)
from mcp_foundry.sources.source import SchemaSource

# What a revision folder contributes: the two schemas and the example messages.
_WANTED = ("schema.ts", "schema.json")


def _wanted(path: str) -> bool:
    return path in _WANTED or path.startswith("examples/")


def describe_revision(
    name: str,
    commit: str,
    source: SchemaSource,
    repository: str = UPSTREAM_REPOSITORY,
    *,
    era: str,
    wire: bool = True,
) -> RevisionEntry:
    """Hash every wanted file of ``schema/<name>/`` as the source serves it at ``commit``."""
    check_commit(name, commit)
    directory = f"schema/{name}"
    listed = [p for p in source.list_files(repository, commit, directory) if _wanted(p)]
    missing = [p for p in _WANTED if p not in listed]
    if missing:
        raise SchemaSourceError(
            f"revision {name}: {', '.join(missing)} not found at"
            f" {source.where(repository, commit, directory)}"
        )
    files = tuple(
        SchemaFile(
            path=p,
            sha256=store.sha256_of(source.read(repository, commit, f"{directory}/{p}")),
        )
        for p in sorted(listed)
    )
    return RevisionEntry(
        name=name,
        repository=repository,
        commit=commit,
        directory=directory,
        files=files,
        era=era,
        wire=wire,
    )
