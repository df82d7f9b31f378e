"""``App.run(drain_s=...)``: on SIGTERM a running call gets that long, then an error."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

FAULTY = [sys.executable, str(Path(__file__).with_name("faulty_app.py"))]
pytestmark = pytest.mark.timeout(60)


def test_a_call_outliving_the_drain_time_is_answered_with_an_error() -> None:
    meta = {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "progressToken": "p",
    }
    params = {"name": "nap", "arguments": {"seconds": 60}, "_meta": meta}
    request = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params}
    process = subprocess.Popen(
        [*FAULTY, "0.5"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        process.stdin.write(orjson.dumps(request) + b"\n")
        process.stdin.flush()
        progress = orjson.loads(process.stdout.readline())
        assert progress["method"] == "notifications/progress"
        process.send_signal(signal.SIGTERM)
        answer = orjson.loads(process.stdout.readline())
        assert answer["id"] == 1
        assert answer["error"] == {
            "code": -32603,
            "message": "Server shutting down; the request was cancelled",
        }
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
