"""A sync tool runs off the event loop: other requests are answered while it blocks."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

FAULTY = [sys.executable, str(Path(__file__).with_name("faulty_app.py"))]
META = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientCapabilities": {},
}
pytestmark = pytest.mark.timeout(60)


def test_a_ping_is_answered_while_a_sync_tool_sleeps() -> None:
    process = subprocess.Popen(
        FAULTY, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        params = {"name": "doze", "arguments": {"seconds": 3}, "_meta": META}
        doze = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params}
        process.stdin.write(orjson.dumps(doze) + b"\n")
        process.stdin.flush()
        time.sleep(0.5)  # the tool is asleep by now
        ping = {"jsonrpc": "2.0", "id": 2, "method": "ping", "params": {"_meta": META}}
        sent = time.monotonic()
        process.stdin.write(orjson.dumps(ping) + b"\n")
        process.stdin.flush()
        first = orjson.loads(process.stdout.readline())
        waited = time.monotonic() - sent
        assert first["id"] == 2 and waited < 1.5, (first, waited)
        second = orjson.loads(process.stdout.readline())
        assert second["id"] == 1
        assert second["result"]["content"][0]["text"] == "dozed (modern)"
    finally:
        process.stdin.close()
        process.wait(20)
