"""``mcp-foundry schema``: fetch, list and add the pinned upstream schema files."""

from __future__ import annotations

import sys

import click
from mcp_foundry.ir.source import resolve_revisions
from mcp_foundry.sources import manifest as manifest_module
from mcp_foundry.sources import store
from mcp_foundry.sources.add import describe_revision
from mcp_foundry.sources.errors import SchemaSourceError
from mcp_foundry.sources.fetch import fetch_revision
from mcp_foundry.sources.source import open_source

FROM_HELP = (
    "A folder laid out like the upstream repository, or a raw-file base URL"
    " (default: ../shared/mcp-spec if present, else upstream)."
)


@click.group()
def schema() -> None:
    """Fetch, list and add the upstream schema files each revision is generated from."""


@schema.command()
@click.argument("revisions", nargs=-1)
@click.option("--from", "location", metavar="DIR|URL", help=FROM_HELP)
def fetch(revisions: tuple[str, ...], location: str | None) -> None:
    """Copy REVISIONS (default: all) into the cache, verifying every sha256."""
    try:
        wanted = resolve_revisions(revisions)
    except LookupError as exc:
        raise click.BadParameter(str(exc), param_hint="REVISIONS") from None
    try:
        manifest = manifest_module.load()
        entries = [manifest.get(r) for r in wanted]
        source = open_source(location)
    except SchemaSourceError as exc:
        raise click.ClickException(str(exc)) from exc
    failures = 0
    try:
        for entry in entries:
            try:
                outcome = fetch_revision(entry, source)
            except SchemaSourceError as exc:
                failures += 1
                click.echo(f"error: {entry.name}: {exc}", err=True)
                continue
            if outcome.up_to_date:
                click.echo(
                    f"{entry.name}: up to date ({len(entry.files)} files) in {outcome.folder}",
                    err=True,
                )
            else:
                click.echo(
                    f"{entry.name}: fetched {outcome.downloaded} file(s),"
                    f" kept {outcome.reused} -> {outcome.folder}",
                    err=True,
                )
    finally:
        source.close()
    if failures:
        click.echo(
            f"{failures} revision(s) failed; the cache was left as it was for them",
            err=True,
        )
        sys.exit(1)


@schema.command(name="list")
def list_() -> None:
    """Show every known revision in order: its era, pinned commit and whether it is cached
    and verified."""
    try:
        manifest = manifest_module.load()
    except SchemaSourceError as exc:
        raise click.ClickException(str(exc)) from exc
    for entry in manifest.revisions:
        state = store.status(entry)
        era = entry.era if entry.wire else f"{entry.era}, not wire"
        click.echo(
            f"{entry.name:<12} {era:<17} {entry.commit[:12]}  {len(entry.files):>4} files  "
            f"{state.value}"
        )


@schema.command()
@click.argument("revision")
@click.option("--commit", required=True, help="The upstream commit the files are pinned to.")
@click.option("--repository", default=manifest_module.UPSTREAM_REPOSITORY, show_default=True)
@click.option("--from", "location", metavar="DIR|URL", help=FROM_HELP)
@click.option(
    "--era",
    type=click.Choice(manifest_module.ERAS),
    help="legacy (initialize handshake) or modern (stateless); default: as pinned before, "
    "else the era of the newest revision.",
)
@click.option(
    "--wire/--not-wire",
    default=None,
    help="Whether peers send REVISION as a protocol version (default: as pinned before, "
    "else yes for a dated name).",
)
def add(
    revision: str,
    commit: str,
    repository: str,
    location: str | None,
    era: str | None,
    wire: bool | None,
) -> None:
    """Add (or re-pin) REVISION in the manifest, in revision order, hashing the files the
    source serves."""
    try:
        manifest = manifest_module.load()
        pinned = next((r for r in manifest.revisions if r.name == revision), None)
        if era is None:
            era = pinned.era if pinned else [r for r in manifest.revisions if r.wire][-1].era
        if wire is None:
            wire = pinned.wire if pinned else manifest_module.is_dated(revision)
        source = open_source(location)
        try:
            entry = describe_revision(
                revision, commit.lower(), source, repository, era=era, wire=wire
            )
        finally:
            source.close()
        manifest.with_entry(entry).save()
    except SchemaSourceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"{revision}: {len(entry.files)} files pinned at {entry.commit} in {manifest.path}"
        f" ({entry.era}{'' if entry.wire else ', not a wire version'})",
        err=True,
    )
