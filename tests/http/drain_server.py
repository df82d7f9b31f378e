"""A server run as a real process by the shutdown tests: ``python drain_server.py DRAIN_S``
prints its port, then serves until a signal stops it."""

from __future__ import annotations

import asyncio
import socket
import sys

from mcp_foundry.authoring import App, Context
from mcp_foundry.runtime.http import HttpConfig, create_app
from mcp_foundry.runtime.http.serve import McpServer, server_config

app = App("drain", "1")


@app.tool()
async def nap(seconds: float, ctx: Context) -> str:
    """Reports progress once (so the client knows it runs), then sleeps."""
    await ctx.progress(0, 1)
    await asyncio.sleep(seconds)
    return f"slept {seconds}"


def main() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)  # connections wait in the backlog until uvicorn serves
    host, port = sock.getsockname()[:2]
    config = server_config(
        create_app(app.runtime(), HttpConfig(keepalive_s=60)),
        host,
        port,
        timeout_graceful_shutdown=float(sys.argv[1]),
        log_level="info",
    )
    print(port, flush=True)
    McpServer(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
