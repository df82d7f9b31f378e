"""``App(request_timeout=...)``: a call running past it is cancelled and answered with an
error, on both eras, whether the tool awaits forever or blocks its thread."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson
import pytest

FAULTY = [sys.executable, str(Path(__file__).with_name("faulty_app.py"))]
META = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientCapabilities": {},
}
INIT = {
    "protocolVersion": "2025-11-25",
    "capabilities": {},
    "clientInfo": {"name": "t", "version": "1"},
}
pytestmark = pytest.mark.timeout(60)


def _line(message: dict[str, Any]) -> bytes:
    return orjson.dumps({"jsonrpc": "2.0", **message}) + b"\n"


@pytest.mark.parametrize("modern", [False, True])
@pytest.mark.parametrize("tool", ["hang", "doze"])
def test_a_call_past_the_request_timeout_is_answered_with_an_error(modern: bool, tool: str) -> None:
    process = subprocess.Popen(
        [*FAULTY, "5", "1"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        if not modern:
            process.stdin.write(_line({"id": 0, "method": "initialize", "params": INIT}))
            process.stdin.write(_line({"method": "notifications/initialized"}))
            process.stdin.flush()
            assert orjson.loads(process.stdout.readline())["id"] == 0
        params: dict[str, Any] = {
            "name": tool,
            "arguments": {"seconds": 30} if tool == "doze" else {},
        }
        if modern:
            params["_meta"] = META
        sent = time.monotonic()
        process.stdin.write(_line({"id": 1, "method": "tools/call", "params": params}))
        process.stdin.flush()
        answer = orjson.loads(process.stdout.readline())
        assert time.monotonic() - sent < 10
        assert answer["id"] == 1
        assert answer["error"] == {
            "code": -32603,
            "message": "Request timed out after 1.0s; the handler was cancelled",
        }
    finally:
        process.kill()
        process.wait()
