"""One module per ``mcp-foundry`` subcommand (see ``mcp_foundry.cli.COMMANDS``)."""
