"""The ``mcp-foundry`` command line.

Subcommands live in ``codegen/commands/``, one module each, and are imported only when
invoked: ``mcp-foundry --help`` stays fast and one broken subcommand cannot take the
others down. Every error is one line on stderr, never a traceback: exit status 2 for a
usage error (unknown option, revision or value), 1 for a failure while doing the work.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any, NoReturn

import click
from mcp_foundry.ir.errors import GeneratorError
from mcp_foundry.scaffold.errors import ScaffoldError
from mcp_foundry.sources.errors import SchemaSourceError

USAGE_ERROR = 2
FAILURE = 1
# what the work itself can raise: the sources, the IR, the scaffolder and the file system
EXPECTED_ERRORS = (GeneratorError, SchemaSourceError, ScaffoldError, OSError)

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

    def main(self, *args: Any, **kwargs: Any) -> NoReturn:
        kwargs["standalone_mode"] = False
        try:
            status = super().main(*args, **kwargs)
        except click.UsageError as exc:
            _fail(exc.format_message(), USAGE_ERROR)
        except click.ClickException as exc:
            _fail(exc.format_message(), exc.exit_code)
        except click.Abort:
            _fail("aborted", FAILURE)
        except EXPECTED_ERRORS as exc:
            _fail(str(exc), FAILURE)
        except Exception as exc:
            if os.environ.get("MCP_FOUNDRY_DEBUG"):
                raise
            where = "MCP_FOUNDRY_DEBUG=1 shows where"
            _fail(f"internal error ({type(exc).__name__}: {exc}); {where}", FAILURE)
        sys.exit(status if isinstance(status, int) else 0)


def _fail(message: str, status: int) -> NoReturn:
    click.echo(f"error: {' '.join(message.split())}", err=True)
    sys.exit(status)


@click.group(cls=LazyGroup)
@click.version_option(package_name="mcp-foundry")
def main() -> None:
    """Generate, run, scaffold and diff Model Context Protocol bindings."""
