"""``mcp-foundry server``: one MCP server's own surface (tools, prompts, resource
templates) as a snapshot, as typed Python bindings, and as a diff between releases.

SERVER operands are a snapshot file (``.json``), a bindings package folder (its
``surface.json``), a URL (Streamable HTTP) or a server command line, quoted as one
argument or given after ``--``.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click
from mcp_foundry.commands.diff import report_options, write_report
from mcp_foundry.commands.generate import drift, write_package
from mcp_foundry.servergen import package, source
from mcp_foundry.servergen.compare import compare
from mcp_foundry.servergen.errors import SurfaceError
from mcp_foundry.servergen.surface import Surface


def _spec(words: tuple[str, ...]) -> str:
    if not words:
        raise click.UsageError("name a server: a snapshot, a URL or a command line")
    return words[0] if len(words) == 1 else shlex.join(words)


def _headers(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    headers = {}
    for value in values:
        name, colon, content = value.partition(":")
        if not colon or not name.strip():
            raise click.BadParameter(f"{value!r} is not NAME: VALUE")
        headers[name.strip()] = content.strip()
    return headers


header_option = click.option(
    "--header",
    "-H",
    "headers",
    multiple=True,
    callback=_headers,
    metavar="'NAME: VALUE'",
    help="Send this HTTP header to URL servers (e.g. Authorization); repeatable.",
)


def _load(spec: str, headers: dict[str, str]) -> Surface:
    try:
        return source.load(spec, headers)
    except SurfaceError as exc:
        raise click.ClickException(str(exc)) from None


@click.group()
def server() -> None:
    """Snapshot, bind and diff one MCP server's tools, prompts and resource templates.

    \b
    SERVER (and diff's A and B) is any of:
      a snapshot file          surface.json, tools.json, ...
      a bindings folder        its surface.json
      a URL                    http://127.0.0.1:8000/mcp (Streamable HTTP, or HTTP+SSE)
      a command line           quoted, or after --: -- python -m weather
    """


@server.command()
@click.argument("words", nargs=-1, required=True, metavar="SERVER")
@header_option
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the snapshot here instead of stdout.",
)
def snapshot(words: tuple[str, ...], headers: dict[str, str], output: Path | None) -> None:
    """Save SERVER's tools/list, prompts/list and resources/templates/list as one JSON file."""
    found = _load(_spec(words), headers)
    text = found.to_json()
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
    click.echo(
        f"{len(found.tools)} tools, {len(found.prompts)} prompts,"
        f" {len(found.resource_templates)} resource templates"
        + (f"; wrote {output}" if output else ""),
        err=True,
    )


@server.command()
@click.argument("words", nargs=-1, required=True, metavar="SERVER")
@header_option
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The package folder to write; its name is the package name.",
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 with a diff if output drifted.")
def bindings(words: tuple[str, ...], headers: dict[str, str], out: Path, check: bool) -> None:
    """Write a typed Python package for SERVER: models and an async client class."""
    try:
        files = package.render(_load(_spec(words), headers), out.name)
    except SurfaceError as exc:
        raise click.ClickException(str(exc)) from None
    if check:
        lines = drift(out, files)
        if lines:
            click.echo("".join(lines), nl=False)
            click.echo(f"{out}: out of date with the server; regenerate it", err=True)
            sys.exit(1)
        click.echo(f"{out}: up to date", err=True)
        return
    write_package(out, files)
    click.echo(f"wrote {out} ({len(files)} files)", err=True)


@server.command("diff")
@click.argument("before", metavar="A")
@click.argument("after", metavar="B")
@header_option
@report_options
def diff_command(
    before: str,
    after: str,
    headers: dict[str, str],
    fmt: str,
    fail_on: str | None,
    output: Path | None,
) -> None:
    """Classify the changes from server A to server B by whom they break.

    Breaking means breaking callers built against A once B is released; the report's
    other column counts changes that break callers built against B reaching A.
    """
    a, b = _load(before, headers), _load(after, headers)
    write_report(compare(a, b, before, after), fmt, fail_on, output)
