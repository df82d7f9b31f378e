"""Serve an ASGI app on loopback from a background thread, for tests."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from mcp_foundry.runtime.http.serve import McpServer, server_config


@contextmanager
def serving(make_app: Callable[[str], Any], **options: Any) -> Iterator[str]:
    """``make_app(base_url)`` served by the runtime's HTTP server on a free 127.0.0.1 port
    until the block ends; yields the base URL (``http://127.0.0.1:PORT``). The app is made
    once the port is known, since a server names its own URL (issuer, resource).
    ``options`` are :func:`~mcp_foundry.runtime.http.serve.server_config` settings."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    host, port = sock.getsockname()[:2]
    base = f"http://{host}:{port}"
    config = server_config(make_app(base), host, port, **{"log_level": "warning", **options})
    server = McpServer(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError(f"the loopback server at {base} did not start")
        time.sleep(0.01)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
