"""The everything server: every fixture the MCP server-conformance suite exercises.

Built only with :mod:`mcp_foundry.authoring`; see ``EVERYTHING-SERVER-CONTRACT.md`` in the
shared conformance folder for what each fixture must do. Modules register in the order
tools are listed (``test_simple_text`` first).
"""
