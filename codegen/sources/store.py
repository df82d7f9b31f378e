"""The local cache of fetched schema files: ``<cache>/<revision>/`` (schema.ts, schema.json,
examples/).

A revision folder only ever appears whole: it is staged beside the cache and renamed into
place after every file matched its pinned hash. A stamp inside records the manifest entry
it was fetched for, so a cache left over from another commit is reported as stale.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from enum import Enum
from pathlib import Path

from mcp_foundry import paths
from mcp_foundry.sources import manifest as manifest_module
from mcp_foundry.sources.errors import SchemaSourceError

STAMP = ".manifest-entry.json"
FETCH_HINT = "mcp-foundry schema fetch"


def cache_root() -> Path:
    """The cache folder; ``MCP_FOUNDRY_SCHEMA_CACHE`` moves it (tests use a temp folder)."""
    override = os.environ.get("MCP_FOUNDRY_SCHEMA_CACHE")
    return Path(override) if override else paths.schema_cache()


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Status(Enum):
    MISSING = "not cached"
    VERIFIED = "cached, verified"
    STALE = "cached for another manifest entry"
    CORRUPT = "cached, but files are missing or altered"


def _stamp_matches(folder: Path, entry: manifest_module.RevisionEntry) -> bool:
    try:
        return bool(json.loads((folder / STAMP).read_text(encoding="utf-8")) == entry.provenance())
    except (OSError, json.JSONDecodeError):
        return False


def good_files(folder: Path, entry: manifest_module.RevisionEntry) -> set[str]:
    """The manifest files already present in ``folder`` with the right hash."""
    good = set()
    for item in entry.files:
        target = folder / item.path
        if target.is_file() and sha256_of(target.read_bytes()) == item.sha256:
            good.add(item.path)
    return good


def status(entry: manifest_module.RevisionEntry, cache: Path | None = None) -> Status:
    folder = (cache or cache_root()) / entry.name
    if not folder.is_dir():
        return Status.MISSING
    if not _stamp_matches(folder, entry):
        return Status.STALE
    if good_files(folder, entry) != set(entry.hashes):
        return Status.CORRUPT
    return Status.VERIFIED


def revision_dir(revision: str, cache: Path | None = None) -> Path:
    """The cached folder of ``revision``, for everything that reads schema files.

    Cheap (no hashing): install is atomic, so a folder whose stamp matches the manifest is
    whole. ``mcp-foundry schema list`` does the full verification.
    """
    entry = manifest_module.load().get(revision)
    folder = (cache or cache_root()) / revision
    if not folder.is_dir():
        raise SchemaSourceError(
            f"revision {revision} is not cached in {folder}: run `{FETCH_HINT} {revision}`"
        )
    if not _stamp_matches(folder, entry):
        raise SchemaSourceError(
            f"the cached {revision} in {folder} was fetched for a different manifest entry:"
            f" run `{FETCH_HINT} {revision}`"
        )
    return folder


def install(entry: manifest_module.RevisionEntry, staged: Path, cache: Path) -> Path:
    """Move a fully verified staging folder into place, replacing any older copy.

    Two fetches may race (parallel test runs, ``make`` jobs): when the rename loses
    because the other one installed first, its verified copy is kept and ours dropped.
    """
    (staged / STAMP).write_text(json.dumps(entry.provenance(), indent=2) + "\n", encoding="utf-8")
    final = cache / entry.name
    for _ in range(3):
        retired: Path | None = None
        try:
            if final.exists():
                retired = Path(tempfile.mkdtemp(prefix=f".retired-{entry.name}-", dir=cache))
                final.rename(retired)  # onto the empty temp folder: atomic on POSIX
            staged.rename(final)
            return final
        except OSError:
            if status(entry, cache) is Status.VERIFIED:
                shutil.rmtree(staged, ignore_errors=True)
                return final
        finally:
            if retired is not None:
                shutil.rmtree(retired, ignore_errors=True)
    raise SchemaSourceError(
        f"could not install {entry.name} into {final}: it keeps changing under us"
    )
