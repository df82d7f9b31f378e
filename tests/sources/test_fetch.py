"""Fetching from a local folder and over HTTP: verified, atomic, idempotent."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from mcp_foundry.sources import manifest as manifest_module
from mcp_foundry.sources import store
from mcp_foundry.sources.errors import SchemaSourceError
from mcp_foundry.sources.fetch import fetch_revision
from mcp_foundry.sources.local import LocalSource

pytestmark = pytest.mark.timeout(60)


def _leftovers(cache: Path) -> list[str]:
    return (
        sorted(p.name for p in cache.iterdir() if p.name.startswith(".")) if cache.exists() else []
    )


def test_fetch_from_local_folder_copies_every_pinned_file(
    run: Callable[..., Result], env: dict[str, Path], spec_copy: Path
) -> None:
    result = run("fetch", "2025-11-25", "2026-07-28", "--from", str(spec_copy))
    assert result.exit_code == 0, result.output
    entry = manifest_module.load().get("2026-07-28")
    folder = store.revision_dir("2026-07-28")
    assert folder == env["cache"] / "2026-07-28"
    for item in entry.files:
        assert store.sha256_of((folder / item.path).read_bytes()) == item.sha256
    assert (folder / "examples").is_dir()
    assert (env["cache"] / "2025-11-25" / "schema.ts").is_file()
    assert not (env["cache"] / "draft").exists()
    assert _leftovers(env["cache"]) == []


def test_default_source_is_the_shared_checkout_in_a_real_process(
    run: Callable[..., Result], env: dict[str, Path], spec_copy: Path
) -> None:
    exe = Path(sys.executable).parent / "mcp-foundry"
    proc = subprocess.run(
        [str(exe), "schema", "fetch", "2024-11-05"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""  # logs go to stderr
    assert "2024-11-05: fetched 2 file(s)" in proc.stderr
    assert store.revision_dir("2024-11-05").joinpath("schema.json").is_file()


def test_fetch_over_http_from_a_real_server(
    run: Callable[..., Result], env: dict[str, Path], raw_server: tuple[str, Path]
) -> None:
    base, _ = raw_server
    result = run("fetch", "draft", "2025-06-18", "--from", base)
    assert result.exit_code == 0, result.output
    entry = manifest_module.load().get("draft")
    assert store.status(entry) is store.Status.VERIFIED
    assert len(list((env["cache"] / "draft" / "examples").rglob("*.json"))) == len(entry.files) - 2


def test_tampered_file_over_http_is_an_error_and_writes_nothing(
    run: Callable[..., Result], env: dict[str, Path], raw_server: tuple[str, Path]
) -> None:
    base, served = raw_server
    victim = (
        served / "schema" / "2026-07-28" / "examples" / "CallToolRequest" / "call-tool-request.json"
    )
    victim.write_bytes(victim.read_bytes().replace(b"tools/call", b"tools/cull"))
    result = run("fetch", "2026-07-28", "--from", base)
    assert result.exit_code == 1
    assert (
        "sha256 mismatch for 2026-07-28/examples/CallToolRequest/call-tool-request.json"
        in result.output
    )
    assert (
        f"{base}/" in result.output
        and "schema/2026-07-28/examples/CallToolRequest" in result.output
    )
    assert not (env["cache"] / "2026-07-28").exists()
    assert _leftovers(env["cache"]) == []


def test_a_failed_refetch_keeps_the_good_cached_copy(
    run: Callable[..., Result],
    env: dict[str, Path],
    spec_copy: Path,
    raw_server: tuple[str, Path],
) -> None:
    assert run("fetch", "2025-03-26", "--from", str(spec_copy)).exit_code == 0
    cached = env["cache"] / "2025-03-26" / "schema.ts"
    good = cached.read_bytes()
    cached.write_bytes(b"// damaged\n")  # the cache needs repair ...
    base, served = raw_server
    (served / "schema" / "2025-03-26" / "schema.ts").write_bytes(
        b"// also wrong\n"
    )  # ... the server is bad
    result = run("fetch", "2025-03-26", "--from", base)
    assert result.exit_code == 1 and "sha256 mismatch" in result.output
    assert cached.read_bytes() == b"// damaged\n"  # untouched, not half-replaced
    assert _leftovers(env["cache"]) == []
    assert run("fetch", "2025-03-26", "--from", str(spec_copy)).exit_code == 0
    assert cached.read_bytes() == good


def test_missing_file_names_what_and_where(
    run: Callable[..., Result], env: dict[str, Path], spec_copy: Path
) -> None:
    victim = sorted((spec_copy / "schema" / "draft" / "examples" / "Tool").glob("*.json"))[0]
    victim.unlink()
    result = run("fetch", "draft", "--from", str(spec_copy))
    assert result.exit_code == 1
    assert f"missing file schema/draft/examples/Tool/{victim.name}" in result.output
    assert str(victim) in result.output
    assert not (env["cache"] / "draft").exists()


def test_missing_file_over_http_names_the_url(
    run: Callable[..., Result], env: dict[str, Path], raw_server: tuple[str, Path]
) -> None:
    base, served = raw_server
    (served / "schema" / "2025-06-18" / "schema.json").unlink()
    result = run("fetch", "2025-06-18", "--from", base)
    assert result.exit_code == 1
    assert (
        f"{base}/" in result.output
        and "schema/2025-06-18/schema.json answered 404" in result.output
    )


def test_unknown_revision_is_a_clear_error(
    run: Callable[..., Result], env: dict[str, Path], spec_copy: Path
) -> None:
    result = run("fetch", "2023-01-01", "--from", str(spec_copy))
    assert result.exit_code == 2
    assert "unknown revision(s) 2023-01-01" in result.output
    assert "2024-11-05" in result.output and "draft" in result.output
    assert not env["cache"].exists() or list(env["cache"].iterdir()) == []


def test_missing_source_folder_is_a_clear_error(
    run: Callable[..., Result], env: dict[str, Path], tmp_path: Path
) -> None:
    result = run("fetch", "draft", "--from", str(tmp_path / "nowhere"))
    assert result.exit_code != 0 and "nowhere does not exist" in result.output


def test_fetch_is_idempotent_and_repairs_only_what_is_wrong(
    run: Callable[..., Result], env: dict[str, Path], spec_copy: Path
) -> None:
    assert run("fetch", "2026-07-28", "--from", str(spec_copy)).exit_code == 0
    folder = env["cache"] / "2026-07-28"
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}
    again = run("fetch", "2026-07-28", "--from", str(spec_copy))
    assert again.exit_code == 0 and "up to date" in again.output
    assert {
        p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()
    } == before
    (folder / "schema.json").unlink()
    repaired = run("fetch", "2026-07-28", "--from", str(spec_copy))
    assert repaired.exit_code == 0
    entry = manifest_module.load().get("2026-07-28")
    assert f"fetched 1 file(s), kept {len(entry.files) - 1}" in repaired.output
    assert store.status(entry) is store.Status.VERIFIED


def test_revision_dir_names_the_fetch_command(env: dict[str, Path]) -> None:
    with pytest.raises(
        SchemaSourceError, match=r"not cached .*mcp-foundry schema fetch 2025-11-25"
    ):
        store.revision_dir("2025-11-25")
    with pytest.raises(SchemaSourceError, match="unknown revision"):
        store.revision_dir("1999-01-01")


def test_concurrent_fetches_of_one_revision_both_succeed(
    env: dict[str, Path], spec_copy: Path
) -> None:
    """Parallel ``make``/test runs fetch into one cache: the loser keeps the winner's copy."""
    entry = manifest_module.load().get("draft")
    errors: list[BaseException] = []

    def fetch() -> None:
        try:
            fetch_revision(entry, LocalSource(spec_copy))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=fetch) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert store.status(entry) is store.Status.VERIFIED
    assert _leftovers(env["cache"]) == []
