"""``mcp-codegen generate``: regenerate the bindings of every (or the named) revision."""

from __future__ import annotations

import difflib
import shutil
import sys
import tempfile
import time
from pathlib import Path

import click

from codegen.emit import emit_revision, package_name
from codegen.ir import load_revision
from codegen.ir.source import REVISIONS
from codegen.paths import GENERATED


def render_revision(revision: str) -> dict[str, str]:
    """File name → content of ``revision``'s package (nothing written)."""
    return emit_revision(load_revision(revision))


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
    show_default="generated/",
    help="Folder receiving one rev_<revision>/ package per revision.",
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 with a diff if output drifted.")
def generate(revisions: tuple[str, ...], out: Path, check: bool) -> None:
    """Generate models, method tables and handler stubs for REVISIONS (default: all)."""
    wanted = revisions or REVISIONS
    unknown = [r for r in wanted if r not in REVISIONS]
    if unknown:
        raise click.BadParameter(
            f"unknown revision(s) {', '.join(unknown)}; known: {', '.join(REVISIONS)}",
            param_hint="REVISIONS",
        )
    drifted: list[str] = []
    for revision in wanted:
        started = time.perf_counter()
        click.echo(f"{revision}: building IR and rendering…", err=True)
        files = render_revision(revision)
        folder = out / package_name(revision)
        elapsed = (time.perf_counter() - started) * 1000
        if check:
            diff = drift(folder, files)
            if diff:
                drifted.append(revision)
                sys.stdout.writelines(diff)
            click.echo(f"{revision}: {'DRIFT' if diff else 'up to date'} ({elapsed:.0f} ms)", err=True)
            continue
        write_package(folder, files)
        click.echo(f"wrote {folder}/ ({', '.join(sorted(files))}) in {elapsed:.0f} ms")
    if drifted:
        click.echo(f"generated bindings out of date: {', '.join(drifted)}", err=True)
        raise SystemExit(1)
