"""The task-tools server as a real process, on stdio or Streamable HTTP (127.0.0.1)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

from mcp_foundry.runtime.client import Client, connect_stdio
from mcp_foundry.runtime.http.client import connect_http

HERE = Path(__file__).resolve().parent
APP = [sys.executable, str(HERE / "tasks_app.py")]
REQUESTOR = [sys.executable, str(HERE / "requestor_server.py")]
"""A server that asks its client to run tasks and reports what it saw."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def http_server(app: Sequence[str] = APP) -> Iterator[str]:
    """``app`` served over HTTP in its own process; yields the endpoint URL."""
    port = free_port()
    process = subprocess.Popen([*app, "http", str(port)], stderr=subprocess.DEVNULL)
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
    app: Sequence[str] = APP,
) -> AsyncIterator[Client]:
    """A runtime client of ``app`` on ``transport``, answering ``handlers`` (as tasks, in
    ``task_store``, when given), pinned to ``version``."""
    async with clients(transport, version, 1, handlers, task_store, app) as (client,):
        yield client


@asynccontextmanager
async def clients(
    transport: str,
    version: str,
    count: int,
    handlers: dict[str, Any] | None = None,
    task_store: Any = None,
    app: Sequence[str] = APP,
    page_size: int | None = None,
) -> AsyncIterator[list[Client]]:
    """``count`` connected clients sharing ``task_store``: sessions of one server process
    over HTTP, one server process each over stdio."""
    async with AsyncExitStack() as stack:
        url = stack.enter_context(http_server(app)) if transport == "http" else None
        made = []
        for _ in range(count):
            if url is None:
                client = await stack.enter_async_context(connect_stdio(app, connect=False))
            else:
                client = await stack.enter_async_context(connect_http(url, connect=False))
            for method, handler in (handlers or {}).items():
                client.on_request(method, handler)
            if task_store is not None:
                client.accept_tasks(task_store, page_size=page_size)
            await client.connect(version)
            made.append(client)
        yield made
