"""A server process serving Streamable HTTP on a free loopback port, for as long as a test
needs it."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(argv: list[str], env: Mapping[str, str], port: int) -> Iterator[str]:
    """``argv`` started to listen on ``port``; yields its MCP URL once it accepts
    connections (failing with its stderr if it exits first), terminates it afterwards."""
    process = subprocess.Popen(argv, env=dict(env), stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "HTTP server did not start"
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(timeout=15)
