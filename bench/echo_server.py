"""The benchmark's echo server, written the way a user of this toolkit would write one.

python bench/echo_server.py stdio
python bench/echo_server.py http --port 8765 [--store redis://HOST:PORT/DB --state-secret-file F]
"""

from __future__ import annotations

import argparse

from mcp_foundry.authoring import App
from mcp_foundry.authoring.deploy_options import add_deploy_options, deploy_settings

app = App("echo", "1.0.0")


@app.tool()
async def echo(text: str) -> str:
    """Echo the text back."""
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("transport", choices=["stdio", "http"])
    parser.add_argument("--port", type=int, default=8765)
    add_deploy_options(parser)
    options = parser.parse_args()
    app.run(options.transport, port=options.port, **deploy_settings(parser, options))


if __name__ == "__main__":
    main()
