"""The ``mcp-codegen`` command line.

Subcommands live in ``codegen/commands/``, one module each, and are imported only when
invoked: ``mcp-codegen --help`` stays fast and one broken subcommand cannot take the
others down.
"""

from __future__ import annotations

import importlib

import click

# command name -> "module:attribute" of a click.Command
COMMANDS = {
    "schema": "codegen.commands.schema:schema",
    "check": "codegen.commands.check:check",
    "generate": "codegen.commands.generate:generate",
    "diff": "codegen.commands.diff:diff",
    "new": "codegen.commands.new:new",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        command: click.Command = getattr(importlib.import_module(module_name), attribute)
        return command


@click.group(cls=LazyGroup)
@click.version_option(package_name="mcp-codegen")
def main() -> None:
    """Generate, run, scaffold and diff Model Context Protocol bindings."""
