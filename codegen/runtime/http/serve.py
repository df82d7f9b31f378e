"""Run an ASGI app under uvicorn with our HTTP/1.1 protocol: loopback by default, every
log line on stderr."""

from __future__ import annotations

import socket
from typing import Any

import uvicorn
from mcp_foundry.runtime.http.protocol import HttpProtocol

LOG_CONFIG: dict[str, Any] = {
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
        "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "uvicorn.access": {
            "handlers": ["stderr"],
            "level": "WARNING",
            "propagate": False,
        },
        "codegen": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}


def server_config(
    app: Any, host: str = "127.0.0.1", port: int = 8000, **options: Any
) -> uvicorn.Config:
    """uvicorn settings for an MCP server; ``options`` override (e.g. ``log_level``)."""
    settings: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_config": LOG_CONFIG,
        "access_log": False,
        "lifespan": "on",
        "timeout_graceful_shutdown": 5,
        "proxy_headers": False,  # a loopback server has no proxy to trust
        "server_header": False,
        "http": HttpProtocol,
    }
    settings.update(options)
    return uvicorn.Config(app, **settings)


class McpServer(uvicorn.Server):
    """uvicorn, but ending the app's long-lived SSE streams before it waits for open
    connections on shutdown (otherwise every idle stream costs the graceful timeout)."""

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        stop = getattr(getattr(self.config.app, "state", None), "mcp_stop_streams", None)
        if stop is not None:
            await stop()
        await super().shutdown(sockets)


def serve(app: Any, host: str = "127.0.0.1", port: int = 8000, **options: Any) -> None:
    """Serve ``app`` until interrupted. Bind beyond loopback only on purpose."""
    McpServer(server_config(app, host, port, **options)).run()


async def serve_socket(app: Any, sock: socket.socket, **options: Any) -> None:
    """Serve on an already bound socket (tests and benchmarks use port 0 this way)."""
    host, port = sock.getsockname()[:2]
    server = McpServer(server_config(app, host, port, **options))
    await server.serve(sockets=[sock])
