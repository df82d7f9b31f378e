"""The official SDK's own HTTP server (``python http_sdk_peer.py PORT``): our client's peer."""

from __future__ import annotations

import sys

import uvicorn
from mcp.server.mcpserver import Context, MCPServer

peer = MCPServer("sdk-peer")


@peer.tool()
def echo(text: str) -> str:
    """Returns its argument."""
    return text


@peer.tool()
async def progress_tool(ctx: Context) -> str:
    """Reports progress three times, then answers."""
    for step in range(3):
        await ctx.report_progress(step, 3)
    return "done"


if __name__ == "__main__":
    legacy = len(sys.argv) > 2 and sys.argv[2] == "sse"
    asgi = peer.sse_app() if legacy else peer.streamable_http_app()
    uvicorn.run(asgi, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
