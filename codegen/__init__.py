"""mcp-foundry: generate, run, scaffold and diff Model Context Protocol bindings."""

__version__ = "0.1.0"
