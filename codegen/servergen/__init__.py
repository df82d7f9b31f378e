"""One MCP server's own surface: its tools, prompts and resource templates.

``surface`` reads it from a live server or a snapshot file, ``package`` turns it into a
typed Python package (models by datamodel-code-generator, a client class on the runtime
client), ``compare`` classifies the changes between two surfaces into a diff report.
"""
