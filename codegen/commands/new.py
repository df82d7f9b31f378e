"""``mcp-foundry new``: scaffold a complete MCP server project."""

from __future__ import annotations

from pathlib import Path

import click
from mcp_foundry.scaffold import ScaffoldError, build_options, create_project
from mcp_foundry.scaffold.features import DEFAULT_FEATURES, FEATURES
from mcp_foundry.scaffold.options import DEFAULT_NAMESPACE, TRANSPORTS


@click.command("new")
@click.argument("name")
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path, file_okay=True, dir_okay=True),
    help="Where to create the project (default: ./NAME). Must not exist or be empty.",
)
@click.option(
    "--revision", help="Protocol revision whose generated types the server uses (default: latest)."
)
@click.option(
    "--transport",
    default="both",
    show_default=True,
    help=f"Transports the server offers: {', '.join(TRANSPORTS)}.",
)
@click.option(
    "--with",
    "features",
    default=",".join(DEFAULT_FEATURES),
    show_default=True,
    help="Comma-separated examples to include: "
    + "; ".join(f"{name} = {doc}" for name, doc in FEATURES.items())
    + ".",
)
@click.option(
    "--namespace",
    default=DEFAULT_NAMESPACE,
    show_default=True,
    help="Reverse-DNS owner in the registry name NAMESPACE/NAME of server.json.",
)
def new(
    name: str,
    directory: Path | None,
    revision: str | None,
    transport: str,
    features: str,
    namespace: str,
) -> None:
    """Create the MCP server project NAME: server, tests, README, host config, server.json."""
    try:
        options = build_options(
            name, revision=revision, transport=transport, features=features, namespace=namespace
        )
        target = (directory or Path(name)).absolute()
        written = create_project(options, target)
    except ScaffoldError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"created {target} ({len(written)} files, revision {options.revision})", err=True)
    for path in written:
        click.echo(f"  {path}", err=True)
    click.echo(
        f"next: cd {target} && python -m venv .venv && .venv/bin/pip install -e '.[test]' "
        "&& .venv/bin/pytest   (see its README for a toolkit wheel not on your index)",
        err=True,
    )
