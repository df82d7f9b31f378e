"""A server whose tool writes to the shared store: what a request does when that store
is out of reach. ``python store_fault_app.py stdio|http --port P --store URL``."""

from __future__ import annotations

import argparse

from mcp_foundry.authoring import App
from mcp_foundry.authoring.deploy_options import add_deploy_options, deploy_settings

app = App("store-fault", "1.0.0")


@app.tool()
async def remember(text: str) -> str:
    """Keep ``text`` in the shared store for a minute."""
    await app.runtime().store.put("remembered", text.encode(), ttl_s=60)
    return "kept"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("transport", choices=["stdio", "http"])
    parser.add_argument("--port", type=int, default=0)
    add_deploy_options(parser)
    options = parser.parse_args()
    app.run(options.transport, port=options.port, **deploy_settings(parser, options))


if __name__ == "__main__":
    main()
