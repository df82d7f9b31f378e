"""The runtime's per-message era questions touch no file once the process has asked once."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from mcp_foundry.runtime import revisions
from mcp_foundry.sources import registry

_listings: list[object] | None = None


def _record(event: str, args: tuple[object, ...]) -> None:
    if _listings is not None and event in ("os.scandir", "os.listdir", "open"):
        _listings.append((event, args))


sys.addaudithook(_record)


def test_eras_come_from_the_generated_bindings() -> None:
    for version in revisions.available():
        assert revisions.is_modern(version) is (revisions.bindings(version).era == "modern")
        assert registry.get(version).wire
    assert not revisions.is_modern("1999-01-01")
    assert not revisions.is_modern(None)
    assert not revisions.is_modern(["2026-07-28"])


def test_asking_again_reads_neither_the_manifest_nor_generated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    global _listings
    versions = revisions.available()
    modern = [v for v in versions if revisions.is_modern(v)]
    # the manifest is gone: any stat or read of it would fail
    monkeypatch.setenv("MCP_FOUNDRY_SCHEMA_MANIFEST", str(tmp_path / "absent.json"))
    _listings = []
    try:
        for _ in range(3):
            assert revisions.available() == versions
            assert [v for v in versions if revisions.is_modern(v)] == modern
            assert not revisions.is_modern("not-a-version")
    finally:
        seen, _listings = _listings, None
    assert seen == []
