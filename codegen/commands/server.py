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
from typing import TYPE_CHECKING, Any

import click
from mcp_foundry.commands.diff import report_options, write_report
from mcp_foundry.commands.generate import drift, write_package
from mcp_foundry.servergen import package, signin, source
from mcp_foundry.servergen.compare import compare
from mcp_foundry.servergen.errors import SurfaceError
from mcp_foundry.servergen.surface import Surface

if TYPE_CHECKING:
    import httpx


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


def oauth_options(command: Any) -> Any:
    command = click.option(
        "--client-secret",
        envvar="MCP_FOUNDRY_CLIENT_SECRET",
        help="With --client-id: its secret (or $MCP_FOUNDRY_CLIENT_SECRET).",
    )(command)
    command = click.option(
        "--client-id", help="With --oauth: a client registered beforehand (default: register)."
    )(command)
    return click.option(
        "--oauth",
        is_flag=True,
        help="Sign in to URL servers in the browser (OAuth 2.1); tokens are kept per user"
        " and per server, so later runs sign in silently.",
    )(command)


def _auth(
    specs: tuple[str, ...], oauth: bool, client_id: str | None, client_secret: str | None
) -> list[httpx.Auth | None]:
    """One sign-in per URL operand with ``--oauth``; the options checked against them."""
    if not oauth:
        if client_id or client_secret:
            raise click.UsageError("--client-id and --client-secret go with --oauth")
        return [None] * len(specs)
    if client_secret and not client_id:
        raise click.UsageError("--client-secret needs --client-id")
    for spec in specs:
        if not source.is_url(spec) and not source.is_snapshot(spec):
            raise click.UsageError(f"--oauth is for URL servers, not command lines: {spec}")
    if not any(source.is_url(spec) for spec in specs):
        raise click.UsageError("--oauth is for URL servers, not snapshots")
    return [
        signin.oauth(spec, client_id, client_secret) if source.is_url(spec) else None
        for spec in specs
    ]


def _load(spec: str, headers: dict[str, str], auth: httpx.Auth | None = None) -> Surface:
    try:
        return source.load(spec, headers, auth)
    except SurfaceError as exc:
        leaf = source.leaf_error(exc.__cause__) if exc.__cause__ else exc
        data = getattr(leaf, "data", None)
        unauthorized = isinstance(data, dict) and data.get("httpStatus") == 401
        hint = "; sign in with --oauth" if unauthorized and auth is None else ""
        raise click.ClickException(f"{exc}{hint}") from None


@click.group()
def server() -> None:
    """Snapshot, bind and diff one MCP server's tools, prompts and resource templates.

    \b
    SERVER (and diff's A and B) is any of:
      a snapshot file          surface.json, tools.json, ...
      a bindings folder        its surface.json
      a URL                    http://127.0.0.1:8000/mcp (Streamable HTTP, or HTTP+SSE;
                               -H for headers, --oauth to sign in)
      a command line           quoted, or after --: -- python -m weather
    """


@server.command()
@click.argument("words", nargs=-1, required=True, metavar="SERVER")
@header_option
@oauth_options
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the snapshot here instead of stdout.",
)
def snapshot(
    words: tuple[str, ...],
    headers: dict[str, str],
    oauth: bool,
    client_id: str | None,
    client_secret: str | None,
    output: Path | None,
) -> None:
    """Save SERVER's tools/list, prompts/list and resources/templates/list as one JSON file."""
    spec = _spec(words)
    [auth] = _auth((spec,), oauth, client_id, client_secret)
    found = _load(spec, headers, auth)
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
@oauth_options
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The package folder to write; its name is the package name.",
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 with a diff if output drifted.")
def bindings(
    words: tuple[str, ...],
    headers: dict[str, str],
    oauth: bool,
    client_id: str | None,
    client_secret: str | None,
    out: Path,
    check: bool,
) -> None:
    """Write a typed Python package for SERVER: models and an async client class."""
    spec = _spec(words)
    [auth] = _auth((spec,), oauth, client_id, client_secret)
    try:
        files = package.render(_load(spec, headers, auth), out.name)
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
@oauth_options
@report_options
def diff_command(
    before: str,
    after: str,
    headers: dict[str, str],
    oauth: bool,
    client_id: str | None,
    client_secret: str | None,
    fmt: str,
    fail_on: str | None,
    output: Path | None,
) -> None:
    """Classify the changes from server A to server B by whom they break.

    Breaking means breaking callers built against A once B is released; the report's
    other column counts changes that break callers built against B reaching A.
    """
    auth_a, auth_b = _auth((before, after), oauth, client_id, client_secret)
    a, b = _load(before, headers, auth_a), _load(after, headers, auth_b)
    write_report(compare(a, b, before, after), fmt, fail_on, output)
