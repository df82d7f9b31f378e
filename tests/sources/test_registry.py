"""The revision registry: order, eras and ranges come from the manifest and nowhere else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mcp_foundry.sources import registry
from mcp_foundry.sources.errors import SchemaSourceError

NAMES = registry.names()


def _edit(
    manifest: Path, change: dict[str, object] | None = None, order: list[str] | None = None
) -> None:
    data = json.loads(manifest.read_text())
    revisions = data["revisions"]
    if order is not None:
        revisions = {name: revisions[name] for name in order}
    for name, fields in (change or {}).items():
        revisions[name] = {**revisions[name], **fields}  # type: ignore[dict-item]
    data["revisions"] = revisions
    manifest.write_text(json.dumps(data))


def test_the_order_is_the_manifests_wire_versions_first() -> None:
    revisions = registry.registry()
    assert [r.position for r in revisions] == list(range(len(revisions)))
    wire = [r.name for r in revisions if r.wire]
    assert list(registry.wire_versions()) == wire == sorted(wire)
    assert [r.name for r in revisions] == [*wire, *(r.name for r in revisions if not r.wire)]
    assert registry.latest() == wire[-1]
    for era in ("legacy", "modern"):
        assert all(registry.era_of(name) == era for name in registry.of_era(era))


@pytest.mark.parametrize("revision", NAMES)
def test_ranges_follow_registry_order(revision: str) -> None:
    index = registry.order_key(revision)
    assert revision in registry.since(revision) and revision in registry.ALWAYS
    assert revision not in registry.until(revision)
    for other in NAMES:
        later = registry.order_key(other) > index
        assert (other in registry.since(revision)) == (later or other == revision)
        assert (other in registry.between(NAMES[0], revision)) == (
            registry.order_key(other) < index
        )


def test_a_name_the_registry_does_not_know_is_in_no_range() -> None:
    assert "1999-01-01" not in registry.ALWAYS and None not in registry.ALWAYS
    with pytest.raises(SchemaSourceError, match="unknown revision '1999-01-01'"):
        registry.order_key("1999-01-01")


def test_a_manifest_out_of_order_is_refused(env: dict[str, Path]) -> None:
    _edit(env["manifest"], order=[NAMES[1], NAMES[0], *NAMES[2:]])
    with pytest.raises(SchemaSourceError, match="wire versions oldest first"):
        registry.registry()


def test_an_unknown_era_is_refused(env: dict[str, Path]) -> None:
    _edit(env["manifest"], {NAMES[0]: {"era": "future"}})
    with pytest.raises(SchemaSourceError, match=f"{NAMES[0]}: unknown era 'future'"):
        registry.registry()


def test_a_wire_version_is_a_date(env: dict[str, Path]) -> None:
    named = next(r.name for r in registry.registry() if not r.wire)
    _edit(env["manifest"], {named: {"wire": True}})
    with pytest.raises(SchemaSourceError, match="a wire version is a date"):
        registry.registry()


def test_the_registry_follows_manifest_edits(env: dict[str, Path]) -> None:
    newest = registry.latest()
    _edit(
        env["manifest"],
        {newest: {"wire": False}},
        order=[n for n in NAMES if n != newest] + [newest],
    )
    assert registry.latest() != newest and not registry.get(newest).wire
