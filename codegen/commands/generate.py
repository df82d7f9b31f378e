"""``mcp-foundry generate``: regenerate the bindings of every (or the named) revision."""

from __future__ import annotations

import difflib
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import click
from attrs import frozen
from mcp_foundry.emit import emit_revision, package_name
from mcp_foundry.emit.stamp import STAMP, fingerprint
from mcp_foundry.ir import load_revision
from mcp_foundry.ir.errors import GeneratorError
from mcp_foundry.ir.loader import disagreements
from mcp_foundry.ir.source import resolve_revisions
from mcp_foundry.paths import GENERATED
from mcp_foundry.sources.errors import SchemaSourceError


class Unexplained(GeneratorError):
    """schema.ts and schema.json disagree where no override explains it."""


def render_revision(revision: str) -> dict[str, str]:
    """File name → content of ``revision``'s package, stamp included (nothing written);
    refuses a revision whose sources disagree where no override explains it (the bindings
    would be wrong)."""
    found = disagreements(revision)
    if found:
        lines = "".join(f"\n  {revision} {d}" for d in found)
        raise Unexplained(
            f"{revision}: {len(found)} disagreement(s) between schema.ts and schema.json that "
            f"no override explains (see codegen/ir/overrides.py); nothing written:{lines}"
        )
    return {**emit_revision(load_revision(revision)), STAMP: fingerprint(revision)}


@frozen
class Rendered:
    """One revision's package, or why it could not be rendered."""

    revision: str
    files: dict[str, str]
    notes: tuple[str, ...]
    """Overrides upstream has fixed in this revision (one line each)."""
    error: str | None
    seconds: float


def _timed_render(revision: str) -> Rendered:
    started = time.perf_counter()
    try:
        files = render_revision(revision)
    except (GeneratorError, SchemaSourceError) as exc:
        return Rendered(revision, {}, (), str(exc), time.perf_counter() - started)
    notes = load_revision(revision).fixed_upstream
    return Rendered(revision, files, notes, None, time.perf_counter() - started)


def render_revisions(revisions: tuple[str, ...]) -> Iterator[Rendered]:
    """Render several revisions, in parallel processes when there is more than one core
    (black dominates the cost and holds the GIL); yields as each finishes."""
    workers = min(len(revisions), os.cpu_count() or 1)
    if workers <= 1:
        yield from map(_timed_render, revisions)
        return
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(_timed_render, r) for r in revisions]
        for future in as_completed(futures):
            yield future.result()


def drift(folder: Path, files: dict[str, str]) -> list[str]:
    """Unified diff lines between ``folder`` on disk and the freshly rendered ``files``."""
    lines: list[str] = []
    on_disk = {p.name for p in folder.iterdir() if p.is_file()} if folder.is_dir() else set()
    for name in sorted(set(files) | {n for n in on_disk if n.endswith(".py")}):
        path = folder / name
        old = path.read_text(encoding="utf-8") if path.is_file() else ""
        new = files.get(name, "")
        if old != new:
            lines.extend(
                difflib.unified_diff(
                    old.splitlines(keepends=True),
                    new.splitlines(keepends=True),
                    fromfile=str(path) if path.is_file() else "/dev/null",
                    tofile=f"{path} (regenerated)" if name in files else "/dev/null",
                )
            )
    return lines


def write_package(folder: Path, files: dict[str, str]) -> None:
    """Replace ``folder`` with ``files`` in one rename, so readers never see a half."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        for name, content in files.items():
            (staging / name).write_text(content, encoding="utf-8")
        if folder.exists():
            retired = folder.with_name(f".{folder.name}-old")
            shutil.rmtree(retired, ignore_errors=True)
            folder.rename(retired)
            staging.rename(folder)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            staging.rename(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@click.command()
@click.argument("revisions", nargs=-1)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=GENERATED,
    help=(
        "Folder receiving one rev_<revision>/ package per revision. Default: the checkout's"
        " generated/ when run from a checkout; ./generated (in the current folder) when run"
        " from an installed package, whose own bindings ship inside it."
    ),
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 with a diff if output drifted.")
def generate(revisions: tuple[str, ...], out: Path, check: bool) -> None:
    """Generate models, method tables and handler stubs for REVISIONS (default: all)."""
    try:
        wanted = resolve_revisions(revisions)
    except LookupError as exc:
        raise click.BadParameter(str(exc), param_hint="REVISIONS") from None
    except SchemaSourceError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"rendering {len(wanted)} revision(s): {', '.join(wanted)}", err=True)
    drifted, failed = _emit_all(wanted, out, check)
    if failed:
        raise click.ClickException(f"not generated: {', '.join(sorted(failed))}")
    if drifted:
        click.echo(f"generated bindings out of date: {', '.join(sorted(drifted))}", err=True)
        raise SystemExit(1)


def _emit_all(wanted: tuple[str, ...], out: Path, check: bool) -> tuple[list[str], list[str]]:
    """Write (or, with ``check``, compare) every package that renders; the revisions that
    drifted and those that failed (each failure reported as it comes)."""
    drifted: list[str] = []
    failed: list[str] = []
    for rendered in render_revisions(wanted):
        revision, files, seconds = rendered.revision, rendered.files, rendered.seconds
        if rendered.error is not None:
            failed.append(revision)
            click.echo(f"error: {rendered.error}", err=True)
            continue
        for note in rendered.notes:
            click.echo(f"{revision}: {note}", err=True)
        folder = out / package_name(revision)
        if check:
            diff = drift(folder, files)
            if diff:
                drifted.append(revision)
                sys.stdout.writelines(diff)
            state = "DRIFT" if diff else "up to date"
            click.echo(f"{revision}: {state} ({seconds * 1000:.0f} ms)", err=True)
            continue
        write_package(folder, files)
        click.echo(f"wrote {folder}/ ({len(files)} files) in {seconds * 1000:.0f} ms")
    return drifted, failed
