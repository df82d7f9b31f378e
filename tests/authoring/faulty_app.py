"""An App whose tools fail or take long, served on stdio as a real subprocess:
``python faulty_app.py [DRAIN_S [REQUEST_TIMEOUT_S]]``."""

from __future__ import annotations

import asyncio
import sys
import time

from mcp_foundry.authoring import App, Context, ToolError

SECRET = "/srv/keys/private_key.pem"
app = App("faulty", "1")


@app.tool()
def boom() -> str:
    """Fails with an OS error whose text names a private file."""
    with open(SECRET):
        return "unreachable"


@app.tool()
def refuse() -> str:
    """Fails on purpose with a message meant for the client."""
    raise ToolError("quota exceeded, try again tomorrow")


@app.tool()
async def nap(seconds: float, ctx: Context) -> str:
    """Reports progress once (so the client knows it runs), then sleeps."""
    await ctx.progress(0, 1)
    await asyncio.sleep(seconds)
    return "rested"


@app.tool()
def doze(seconds: float, ctx: Context) -> str:
    """A sync tool that blocks its thread (never the event loop) and reads its context."""
    time.sleep(seconds)
    return f"dozed ({'modern' if ctx.modern else 'legacy'})"


@app.tool()
async def hang() -> str:
    """Never finishes on its own: only a request timeout answers it."""
    await asyncio.Event().wait()
    return "unreachable"


if __name__ == "__main__":
    if len(sys.argv) > 2:
        app.request_timeout = float(sys.argv[2])
    app.run("stdio", drain_s=float(sys.argv[1]) if len(sys.argv) > 1 else 5.0)
