"""The ``mcp-foundry`` command line.

Subcommands live in ``codegen/commands/``, one module each, and are imported only when
invoked: ``mcp-foundry --help`` stays fast and one broken subcommand cannot take the
others down.
"""

from __future__ import annotations

import importlib

import click

# command name -> "module:attribute" of a click.Command
COMMANDS = {
    "schema": "mcp_foundry.commands.schema:schema",
    "check": "mcp_foundry.commands.check:check",
    "generate": "mcp_foundry.commands.generate:generate",
    "diff": "mcp_foundry.commands.diff:diff",
    "new": "mcp_foundry.commands.new:new",
    "server": "mcp_foundry.commands.server:server",
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
@click.version_option(package_name="mcp-foundry")
def main() -> None:
    """Generate, run, scaffold and diff Model Context Protocol bindings."""
