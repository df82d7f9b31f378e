"""The task-tools server as a real process, on stdio or Streamable HTTP (127.0.0.1)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

from mcp_foundry.runtime.client import Client, connect_stdio
from mcp_foundry.runtime.http.client import connect_http

APP = [sys.executable, str(Path(__file__).resolve().parent / "tasks_app.py")]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def http_server() -> Iterator[str]:
    """The app served over HTTP in its own process; yields the endpoint URL."""
    port = free_port()
    process = subprocess.Popen([*APP, "http", str(port)], stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert process.poll() is None, "the HTTP server exited"
                assert time.monotonic() < deadline, "the HTTP server did not start"
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(10)


@asynccontextmanager
async def connected(
    transport: str,
    version: str,
    handlers: dict[str, Any] | None = None,
    task_store: Any = None,
) -> AsyncIterator[Client]:
    """A runtime client on ``transport``, answering ``handlers`` (as tasks, in
    ``task_store``, when given), pinned to ``version``."""
    async with _unconnected(transport) as client:
        for method, handler in (handlers or {}).items():
            client.on_request(method, handler)
        if task_store is not None:
            client.accept_tasks(task_store)
        await client.connect(version)
        yield client


@asynccontextmanager
async def _unconnected(transport: str) -> AsyncIterator[Client]:
    if transport == "stdio":
        async with connect_stdio(APP, connect=False) as client:
            yield client
    else:
        with http_server() as url:
            async with connect_http(url, connect=False) as client:
                yield client
