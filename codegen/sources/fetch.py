"""Fetch revisions into the cache: read from a source, verify every hash, then install whole."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import attrs
from mcp_foundry.sources import store
from mcp_foundry.sources.errors import SchemaSourceError
from mcp_foundry.sources.manifest import RevisionEntry
from mcp_foundry.sources.source import SchemaSource


@attrs.frozen
class FetchOutcome:
    revision: str
    folder: Path
    downloaded: int
    reused: int
    up_to_date: bool


def fetch_revision(
    entry: RevisionEntry, source: SchemaSource, cache: Path | None = None
) -> FetchOutcome:
    """Bring ``entry`` into the cache; files already cached with the right hash are kept.

    Nothing in the cache changes unless every file of the revision verified.
    """
    cache = cache or store.cache_root()
    if store.status(entry, cache) is store.Status.VERIFIED:
        return FetchOutcome(
            entry.name,
            cache / entry.name,
            downloaded=0,
            reused=len(entry.files),
            up_to_date=True,
        )
    existing = cache / entry.name
    reusable = store.good_files(existing, entry) if existing.is_dir() else set()
    cache.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".staging-{entry.name}-", dir=cache))
    staging.chmod(0o755)
    try:
        for item in entry.files:
            target = staging / item.path
            target.parent.mkdir(parents=True, exist_ok=True)
            if item.path in reusable:
                shutil.copyfile(existing / item.path, target)
                continue
            repo_path = f"{entry.directory}/{item.path}"
            data = source.read(entry.repository, entry.commit, repo_path)
            actual = store.sha256_of(data)
            if actual != item.sha256:
                raise SchemaSourceError(
                    f"sha256 mismatch for {entry.name}/{item.path} from"
                    f" {source.where(entry.repository, entry.commit, repo_path)}:"
                    f" expected {item.sha256}, got {actual}"
                )
            target.write_bytes(data)
        folder = store.install(entry, staging, cache)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return FetchOutcome(
        entry.name,
        folder,
        downloaded=len(entry.files) - len(reusable),
        reused=len(reusable),
        up_to_date=False,
    )
