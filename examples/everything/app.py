"""The one ``App`` every fixture module registers on."""

from __future__ import annotations

from mcp_foundry.authoring import App, TaskStore

app = App(
    "mcp-foundry-everything",
    "0.1.0",
    title="Everything (mcp-foundry)",
    instructions="A test server exposing every MCP feature the conformance suite checks.",
    tasks=TaskStore(ttl_ms=600_000, poll_interval_ms=200),
)
