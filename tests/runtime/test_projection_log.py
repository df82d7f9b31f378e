"""A legacy ``tools/list`` keeps every JSON Schema keyword of the tools' input schemas
(``$schema``, ``$defs``) and so logs no loss: the everything example as a real process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.timeout(60)


@pytest.mark.parametrize("version", ["2024-11-05", "2025-06-18", "2025-11-25"])
def test_legacy_tools_list_drops_no_schema_keyword(version: str) -> None:
    client = {"name": "t", "version": "1"}
    init = {"protocolVersion": version, "capabilities": {}, "clientInfo": client}
    lines = [
        {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": init},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
    ]
    done = subprocess.run(
        [sys.executable, "-m", "examples.everything", "--log-level", "WARNING"],
        input=b"".join(orjson.dumps(line) + b"\n" for line in lines),
        capture_output=True,
        cwd=ROOT,
        timeout=30,
    )
    (listing,) = [m for m in map(orjson.loads, done.stdout.splitlines()) if m.get("id") == 1]
    schemas = [tool["inputSchema"] for tool in listing["result"]["tools"]]
    assert any("$schema" in schema for schema in schemas)
    assert "dropped" not in done.stderr.decode(), done.stderr.decode()
