"""An HTTP server without ``auth=`` imports no authorization code, no OAuth client, no HTTP
client and no JWT library (issue #15: cold start). A real server process, asked one
``initialize``, then interrupted; its ``sys.modules`` at exit. No timing."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from wire_messages import INITIALIZE

pytestmark = pytest.mark.timeout(60)

ROOT = Path(__file__).resolve().parents[2]
NOT_LOADED = (
    "mcp_foundry.runtime.http.auth.layer",
    "mcp_foundry.runtime.http.auth.settings",
    "mcp_foundry.runtime.http.auth.metadata",
    "mcp_foundry.runtime.http.auth.verifier",
    "mcp_foundry.runtime.http.oauth",
    "httpx",
    "joserfc",
    "starlette",
)
PROBE = """
import atexit, json, runpy, sys
out = sys.argv.pop(1)
atexit.register(lambda: open(out, "w").write(json.dumps(sorted(sys.modules))))
runpy.run_module("examples.everything", run_name="__main__")
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _initialize(port: int, server: subprocess.Popen[bytes]) -> httpx.Response:
    deadline = time.monotonic() + 40
    while True:
        try:
            return httpx.post(
                f"http://127.0.0.1:{port}/mcp",
                json=INITIALIZE,
                headers={"Accept": "application/json, text/event-stream"},
            )
        except httpx.ConnectError:
            assert server.poll() is None and time.monotonic() < deadline, "no server"
            time.sleep(0.05)


def test_http_server_without_auth_loads_no_auth_oauth_or_http_client(tmp_path: Path) -> None:
    out, port = tmp_path / "modules.json", _free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", PROBE, str(out), "--transport", "http", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        answer = _initialize(port, server)
        assert answer.status_code == 200 and '"result"' in answer.text, answer.text
    finally:
        # uvicorn raises the signal again once it has stopped: SIGINT ends the process
        # through KeyboardInterrupt, so the probe's exit hook still runs
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    modules: list[str] = json.loads(out.read_text())
    assert "mcp_foundry.runtime.http.endpoint" in modules  # the probe saw the server at work
    loaded = [m for m in modules if any(m == p or m.startswith(p + ".") for p in NOT_LOADED)]
    assert loaded == []
