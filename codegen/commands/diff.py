"""``mcp-foundry diff A B``: classified differences between two protocol revisions.

Exit status: 0 when done (and ``--fail-on`` not triggered), 1 when ``--fail-on`` found a
matching change, 2 for bad arguments (unknown revision, unreadable schema path).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click
from mcp_foundry.diff.compare import compare
from mcp_foundry.diff.inputs import InputError, load_side
from mcp_foundry.diff.model import DiffReport, Severity
from mcp_foundry.diff.render import FORMATS


def report_options(command: Callable[..., None]) -> Callable[..., None]:
    """``--format``, ``--fail-on`` and ``--output``: every diff command's report options."""
    for option in reversed(
        [
            click.option(
                "--format",
                "fmt",
                type=click.Choice(sorted(FORMATS)),
                default="text",
                show_default=True,
            ),
            click.option(
                "--fail-on",
                type=click.Choice(["breaking", "any"]),
                help="Exit 1 if there is a breaking change (or any change at all).",
            ),
            click.option(
                "--output",
                "-o",
                type=click.Path(dir_okay=False, writable=True, path_type=Path),
                help="Write the report here instead of stdout.",
            ),
        ]
    ):
        command = option(command)
    return command


def write_report(report: DiffReport, fmt: str, fail_on: str | None, output: Path | None) -> None:
    """Print or write ``report``, summarise it on stderr, exit 1 if ``fail_on`` matches."""
    text = FORMATS[fmt](report)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
    breaking = report.count(Severity.BREAKING)
    counts = ", ".join(f"{report.count(s)} {s.value}" for s in Severity)
    click.echo(
        f"{report.before.label} -> {report.after.label}: {counts}"
        + (f"; wrote {output}" if output else ""),
        err=True,
    )
    if (fail_on == "breaking" and breaking) or (fail_on == "any" and report.changes):
        sys.exit(1)


@click.command()
@click.argument("before", metavar="A")
@click.argument("after", metavar="B")
@report_options
def diff(before: str, after: str, fmt: str, fail_on: str | None, output: Path | None) -> None:
    """Compare protocol revision A with B.

    A and B are revisions (2025-06-18, draft, …) or paths to a schema.ts/schema.json file
    or the folder holding both, e.g. to review a draft before it is pinned.
    """
    try:
        ir_a, side_a = load_side(before)
        ir_b, side_b = load_side(after)
    except InputError as exc:
        raise click.BadParameter(str(exc)) from exc
    write_report(compare(ir_a, ir_b, side_a, side_b), fmt, fail_on, output)
