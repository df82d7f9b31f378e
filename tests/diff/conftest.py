"""The diff reads revisions through the schema cache: make sure it is filled first, so
``pytest tests/diff`` works on a fresh checkout as well as under ``make test``."""

from __future__ import annotations

import pytest
from mcp_foundry.sources import manifest, store
from mcp_foundry.sources.fetch import fetch_revision
from mcp_foundry.sources.source import open_source


@pytest.fixture(scope="session", autouse=True)
def cached_revisions() -> None:
    missing = [e for e in manifest.load().revisions if store.status(e) is not store.Status.VERIFIED]
    if missing:
        source = open_source(None)
        try:
            for entry in missing:
                fetch_revision(entry, source)
        finally:
            source.close()
