"""A failing tool: the client reads a generic message, the server log keeps the details."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from .faulty_app import SECRET

FAULTY = [sys.executable, str(Path(__file__).with_name("faulty_app.py"))]
META = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientCapabilities": {},
}
pytestmark = pytest.mark.timeout(60)


def _call(tool: str) -> tuple[dict[str, Any], str]:
    """One tools/call on stdin, then EOF: the result and everything logged on stderr."""
    params = {"name": tool, "arguments": {}, "_meta": META}
    request = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params}
    done = subprocess.run(
        FAULTY, input=orjson.dumps(request) + b"\n", capture_output=True, timeout=30
    )
    (answer,) = [orjson.loads(line) for line in done.stdout.splitlines()]
    return answer["result"], done.stderr.decode(errors="replace")


def test_exception_text_stays_on_the_server() -> None:
    result, log = _call("boom")
    assert result["isError"] is True
    assert result["content"] == [{"type": "text", "text": "Tool boom failed"}]
    assert SECRET in log and "Traceback" in log  # the operator still sees what happened


def test_a_tool_error_message_reaches_the_client() -> None:
    result, _ = _call("refuse")
    assert result["isError"] is True
    assert result["content"] == [{"type": "text", "text": "quota exceeded, try again tomorrow"}]
