"""The server the robustness suite attacks, as a real process: an ``App`` whose tools fail
in every way a tool can, on ``stdio`` or ``http`` (then it prints its port first)."""

from __future__ import annotations

import socket
import sys

from mcp_foundry.authoring import App, ToolError
from mcp_foundry.runtime.http import HttpConfig, create_app
from mcp_foundry.runtime.http.serve import McpServer, server_config

SECRET = "SECRET-7f3a /srv/keys/private_key.pem"
"""In every failure the tools cause: no response may ever carry it."""

app = App("robust", "1")


@app.tool()
def echo(text: str) -> str:
    """Returns its argument."""
    return text


@app.tool()
def boom() -> str:
    """An OS error naming a private file."""
    raise FileNotFoundError(2, "No such file or directory", SECRET)


@app.tool()
def crash(depth: int = 0) -> str:
    """A bug deep in the tool."""
    raise RuntimeError(f"{SECRET} at depth {depth}")


@app.tool()
def refuse() -> str:
    """A failure meant for the client."""
    raise ToolError("refused on purpose")


@app.resource("robust://secret")
def secret() -> str:
    """A resource whose reader fails."""
    raise ValueError(SECRET)


@app.prompt()
def failing(topic: str) -> str:
    """A prompt whose builder fails."""
    raise KeyError(f"{SECRET} {topic}")


def main() -> None:
    if sys.argv[1:] == ["http"]:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        host, port = sock.getsockname()[:2]
        asgi = create_app(
            app.runtime(), HttpConfig(keepalive_s=1), tool_schema=app.tool_input_schema
        )
        print(port, flush=True)
        McpServer(server_config(asgi, host, port, log_level="warning")).run(sockets=[sock])
    else:
        app.run("stdio")


if __name__ == "__main__":
    main()
