"""One module per ``mcp-codegen`` subcommand (see ``codegen.cli.COMMANDS``)."""
