"""The ready-to-paste ``mcpServers`` entries follow the transports."""

from __future__ import annotations

import pytest
from mcp_foundry.scaffold import build_options
from mcp_foundry.scaffold.hosts import mcp_servers


@pytest.mark.parametrize(
    ("transport", "expected"),
    [
        ("stdio", {"notes": {"command": "notes", "args": ["--transport", "stdio"]}}),
        ("http", {"notes": {"type": "http", "url": "http://127.0.0.1:8000/mcp"}}),
        (
            "both",
            {
                "notes": {"command": "notes", "args": ["--transport", "stdio"]},
                "notes-http": {"type": "http", "url": "http://127.0.0.1:8000/mcp"},
            },
        ),
    ],
)
def test_entries_per_transport(transport: str, expected: dict[str, object]) -> None:
    assert mcp_servers(build_options("notes", transport=transport)) == {"mcpServers": expected}
