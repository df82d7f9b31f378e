"""Run an ASGI app under uvicorn with our HTTP/1.1 protocol: loopback by default, every
log line on stderr.

Shutdown (SIGTERM or SIGINT), in order:

1. Stop accepting: the listening sockets close; on open connections every request not
   yet started gets ``503`` with ``Retry-After`` and ``Connection: close`` (the app never
   sees it; this includes a client's answer to a server→client request).
2. Streams with no end of their own end: standalone GET streams, ``subscriptions/listen``.
3. Drain: requests already accepted run on, for up to uvicorn's
   ``timeout_graceful_shutdown`` seconds (the drain time; ``serve(...,
   timeout_graceful_shutdown=30)``).
4. Those still running are cancelled and answered with a JSON-RPC error (``-32603``,
   "Server shutting down; the request was cancelled"), sessions are closed, and the
   answers written (up to :data:`ANSWER_S` more seconds).
5. Connections close; the app's lifespan ends.

Nothing accepted goes unanswered. A second Ctrl+C skips the waiting.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import socket
import time
from collections.abc import Callable
from typing import Any

import uvicorn
from mcp_foundry.runtime.http.protocol import HttpProtocol

log = logging.getLogger("mcp_foundry.runtime.http")

ANSWER_S = 5.0
"""After the drain: how long the error answers of cancelled requests may take to write."""


def log_config(level: str | int | None = None) -> dict[str, Any]:
    """Every log line on stderr, uvicorn's and ours at ``level``: by default the level the
    application gave the root logger (``logging.basicConfig(level=...)``, which is what a
    ``--log-level`` flag sets), else INFO."""
    if level is None:
        root = logging.getLogger()
        level = root.level if root.handlers else logging.INFO
    named = level.upper() if isinstance(level, str) else level
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "plain",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": named, "propagate": False},
            "uvicorn.access": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
            "mcp_foundry": {"handlers": ["stderr"], "level": named, "propagate": False},
        },
    }


def server_config(
    app: Any, host: str = "127.0.0.1", port: int = 8000, **options: Any
) -> uvicorn.Config:
    """uvicorn settings for an MCP server; ``options`` override (``log_level`` sets ours
    and uvicorn's loggers alike)."""
    settings: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_config": log_config(options.get("log_level")),
        "access_log": False,
        "lifespan": "on",
        "timeout_graceful_shutdown": 5,
        "proxy_headers": False,  # a loopback server has no proxy to trust
        "server_header": False,
        "http": HttpProtocol,
    }
    settings.update(options)
    return uvicorn.Config(app, **settings)


class _PlainApp:
    """The drain side of an app not made by ``create_app``: its requests just run out."""

    def end_streams(self) -> None:
        pass

    def in_flight(self) -> int:
        return 0

    def open_streams(self) -> int:
        return 0

    def stop_requests(self) -> None:
        pass

    async def close(self) -> None:
        pass


class McpServer(uvicorn.Server):
    """uvicorn with the shutdown of the module docstring (with our :class:`HttpProtocol`,
    which :func:`server_config` sets; uvicorn's own protocols close idle connections at
    once instead of answering 503)."""

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        state = getattr(self.config.app, "state", None)
        drain: Any = getattr(state, "mcp_drain", None) or _PlainApp()
        limit = self.config.timeout_graceful_shutdown
        log.info("shutting down: refusing new requests, draining for up to %ss", limit)
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        connections = self.server_state.connections
        for connection in list(connections):
            connection.shutdown()
        drain.end_streams()

        def settled() -> bool:
            idle = drain.in_flight() == 0
            return bool(idle and len(self.server_state.tasks) <= drain.open_streams())

        if not await self._until(settled, limit):
            log.warning(
                "drain time over: answering %d running request(s) with an error", drain.in_flight()
            )
            drain.stop_requests()
        await drain.close()
        if not await self._until(lambda: not self.server_state.tasks, ANSWER_S):
            log.error("cancelling %d task(s) that did not finish", len(self.server_state.tasks))
            for task in list(self.server_state.tasks):
                task.cancel()
        for connection in list(connections):
            if isinstance(connection, HttpProtocol):  # uvicorn's own close at shutdown()
                connection.finish_drain()
        for server in self.servers:
            await server.wait_closed()
        if not self.force_exit:
            await self.lifespan.shutdown()

    async def _until(self, done: Callable[[], bool], limit: float | None) -> bool:
        """Wait (polling, as uvicorn does) until ``done()``, ``limit`` seconds pass or a
        second Ctrl+C forces the exit; whether ``done()`` came true."""
        deadline = None if limit is None else time.monotonic() + limit
        while not done():
            if self.force_exit or (deadline is not None and time.monotonic() >= deadline):
                return False
            await asyncio.sleep(0.05)
        return True


def serve(app: Any, host: str = "127.0.0.1", port: int = 8000, **options: Any) -> None:
    """Serve ``app`` until interrupted. Bind beyond loopback only on purpose."""
    gc.freeze()  # start-up objects live as long as the process (see ``run_stdio``)
    McpServer(server_config(app, host, port, **options)).run()


async def serve_socket(app: Any, sock: socket.socket, **options: Any) -> None:
    """Serve on an already bound socket (tests and benchmarks use port 0 this way)."""
    host, port = sock.getsockname()[:2]
    server = McpServer(server_config(app, host, port, **options))
    await server.serve(sockets=[sock])
