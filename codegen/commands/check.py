"""``mcp-foundry check``: report schema.ts/schema.json disagreements no override explains."""

from __future__ import annotations

import click
from mcp_foundry.ir import disagreements, load_revision
from mcp_foundry.ir.errors import GeneratorError
from mcp_foundry.ir.overrides import UpstreamChanged
from mcp_foundry.ir.source import resolve_revisions
from mcp_foundry.sources.errors import SchemaSourceError


@click.command()
@click.argument("revisions", nargs=-1)
@click.option("--verbose", "-v", is_flag=True, help="Also list every override applied.")
def check(revisions: tuple[str, ...], verbose: bool) -> None:
    """Cross-check schema.ts against schema.json for REVISIONS (default: all); exit 1 on
    any unexplained disagreement or any override that no longer matches upstream."""
    try:
        wanted = resolve_revisions(revisions)
    except LookupError as exc:
        raise click.BadParameter(str(exc), param_hint="REVISIONS") from None
    failed = False
    for revision in wanted:
        try:
            found = disagreements(revision)
            applied = load_revision(revision).overrides
        except UpstreamChanged as exc:
            click.echo(f"{revision}: override out of date: {exc}")
            failed = True
            continue
        except (GeneratorError, SchemaSourceError) as exc:
            raise click.ClickException(str(exc)) from None
        status = "ok" if not found else f"{len(found)} unexplained disagreement(s)"
        click.echo(f"{revision}: {status} ({len(applied)} override(s) applied)")
        for item in found:
            click.echo(f"  {item}")
        for note in load_revision(revision).fixed_upstream:
            click.echo(f"  note: {note}")
        if verbose:
            for override in applied:
                click.echo(f"  override {override.name}: {override.target}")
        failed = failed or bool(found)
    if failed:
        raise SystemExit(1)
