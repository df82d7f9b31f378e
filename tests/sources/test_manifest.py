"""The committed manifest, ``schema add`` and ``schema list``."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from mcp_foundry import paths
from mcp_foundry.sources import manifest as manifest_module
from mcp_foundry.sources import store

SHARED = paths.SHARED_SPEC

pytestmark = pytest.mark.timeout(60)
COMMITTED = manifest_module.load(paths.SCHEMA_MANIFEST)
REVISIONS = COMMITTED.names
WIRE = [r.name for r in COMMITTED.revisions if r.wire]
NOT_WIRE = [r.name for r in COMMITTED.revisions if not r.wire]


def test_committed_manifest_pins_every_revision_to_the_provenance_commit() -> None:
    manifest = manifest_module.load(paths.SCHEMA_MANIFEST)
    assert sorted(manifest.names) == sorted(p.name for p in (SHARED / "schema").iterdir())
    assert manifest.names == [*WIRE, *NOT_WIRE] and WIRE == sorted(WIRE)
    provenance = (SHARED / "PROVENANCE.md").read_text()
    commit = re.search(r"at commit `([0-9a-f]{40})`", provenance)
    assert commit is not None
    for entry in manifest.revisions:
        assert entry.repository == "modelcontextprotocol/modelcontextprotocol"
        assert entry.commit == commit.group(1)
        assert entry.directory == f"schema/{entry.name}"
    examples = {
        e.name: sum(f.path.startswith("examples/") for f in e.files) for e in manifest.revisions
    }
    assert examples["2025-11-25"] == 0 and examples["2026-07-28"] > 100 and examples["draft"] > 100


def test_committed_manifest_matches_the_shared_checkout() -> None:
    for entry in manifest_module.load(paths.SCHEMA_MANIFEST).revisions:
        folder = SHARED / entry.directory
        on_disk = {
            p.relative_to(folder).as_posix()
            for p in folder.rglob("*")
            if p.is_file() and (p.name in ("schema.ts", "schema.json") or "examples" in p.parts)
        }
        assert on_disk == set(entry.hashes), entry.name
        assert store.good_files(folder, entry) == set(entry.hashes), entry.name


def test_schema_add_pins_a_new_revision_without_code(
    run: Callable[..., Result], env: dict[str, Path], spec_copy: Path
) -> None:
    shutil.copytree(spec_copy / "schema" / "draft", spec_copy / "schema" / "2099-01-01")
    (spec_copy / "schema" / "2099-01-01" / "schema.mdx").write_text("prose is not pinned\n")
    commit = "0123456789abcdef0123456789abcdef01234567"
    result = run("add", "2099-01-01", "--commit", commit, "--from", str(spec_copy))
    assert result.exit_code == 0, result.output
    data = json.loads(env["manifest"].read_text())
    assert list(data["revisions"]) == [*WIRE, "2099-01-01", *NOT_WIRE]
    assert data["revisions"]["2099-01-01"]["era"] == data["revisions"][WIRE[-1]]["era"]
    added = manifest_module.load().get("2099-01-01")
    assert added.commit == commit and added.directory == "schema/2099-01-01"
    assert added.hashes == manifest_module.load().get("draft").hashes
    fetched = run("fetch", "2099-01-01", "--from", str(spec_copy))
    assert fetched.exit_code == 0, fetched.output
    assert (store.revision_dir("2099-01-01") / "schema.ts").is_file()
    assert not (store.revision_dir("2099-01-01") / "schema.mdx").exists()


def test_schema_add_over_http_and_re_pinning_in_place(
    run: Callable[..., Result], env: dict[str, Path], raw_server: tuple[str, Path]
) -> None:
    base, served = raw_server
    schema_ts = served / "schema" / "2025-06-18" / "schema.ts"
    schema_ts.write_bytes(schema_ts.read_bytes() + b"\n// patched upstream\n")
    commit = served.name
    result = run("add", "2025-06-18", "--commit", commit, "--from", base)
    assert result.exit_code == 0, result.output
    manifest = manifest_module.load()
    assert manifest.names == REVISIONS  # replaced in place, order kept
    assert manifest.get("2025-06-18").hashes["schema.ts"] == store.sha256_of(schema_ts.read_bytes())


def test_schema_add_rejects_a_bad_commit_or_a_missing_folder(
    run: Callable[..., Result], env: dict[str, Path], spec_copy: Path
) -> None:
    before = env["manifest"].read_bytes()
    bad_commit = run("add", "2099-01-01", "--commit", "main", "--from", str(spec_copy))
    assert bad_commit.exit_code != 0 and "not a 40-hex git commit" in bad_commit.output
    no_folder = run("add", "2099-01-01", "--commit", "a" * 40, "--from", str(spec_copy))
    assert no_folder.exit_code != 0 and "no folder schema/2099-01-01" in no_folder.output
    assert env["manifest"].read_bytes() == before


def test_schema_list_shows_cached_verified_corrupt_and_stale(
    run: Callable[..., Result], env: dict[str, Path], spec_copy: Path
) -> None:
    def states() -> dict[str, str]:
        result = run("list")
        assert result.exit_code == 0, result.output
        return {
            line.split()[0]: line.split("files", 1)[1].strip()
            for line in result.output.splitlines()
        }

    assert set(states().values()) == {"not cached"}
    assert (
        run("fetch", "2025-11-25", "2024-11-05", "draft", "--from", str(spec_copy)).exit_code == 0
    )
    listed = states()
    assert list(listed) == REVISIONS
    assert listed["2025-11-25"] == listed["draft"] == "cached, verified"
    assert listed["2026-07-28"] == "not cached"
    (env["cache"] / "draft" / "schema.ts").write_text("// edited by hand\n")
    assert states()["draft"] == "cached, but files are missing or altered"
    data = json.loads(env["manifest"].read_text())
    data["revisions"]["2024-11-05"]["commit"] = "f" * 40
    env["manifest"].write_text(json.dumps(data))
    assert states()["2024-11-05"] == "cached for another manifest entry"
    with pytest.raises(Exception, match="different manifest entry"):
        store.revision_dir("2024-11-05")
