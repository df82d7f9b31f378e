"""``--log-level`` governs the HTTP server's log as it does stdio's: the everything example
at WARNING logs no INFO line (session opened, shutdown), at INFO it does."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from http_support import BOTH, initialize, post

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.timeout(60)


def _log_of_a_session(level: str) -> str:
    """What the example logs on stderr for one initialize and a SIGTERM."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "examples.everything", "--transport", "http"]
    process = subprocess.Popen(
        [*command, "--port", str(port), "--log-level", level],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}/mcp"
        with httpx.Client(timeout=10) as http:
            deadline = time.monotonic() + 20
            while True:
                try:
                    headers = {"accept": BOTH, "content-type": "application/json"}
                    assert post(http, url, initialize(), headers).status_code == 200
                    break
                except httpx.ConnectError:
                    assert time.monotonic() < deadline, "the example never listened"
                    time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return err.decode(errors="replace")


def test_warning_silences_info_over_http() -> None:
    log = _log_of_a_session("WARNING")
    assert "INFO " not in log, log


def test_info_shows_sessions_and_shutdown_over_http() -> None:
    log = _log_of_a_session("info")
    assert "initialized at 2025-11-25" in log and "shutting down" in log, log
