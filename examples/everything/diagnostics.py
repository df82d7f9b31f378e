"""Transport and diagnostic tools: SSE resumption, header mirroring, capability and
logging gates, list-change triggers (contract §5.1, §2.3, §2.7, §2.8, §3.2)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

from mcp_foundry.authoring import Context, header
from mcp_foundry.authoring.errors import missing_capability

from .app import app


@app.tool()
async def test_reconnection(ctx: Context) -> str:
    """Drops its SSE stream mid-call; the answer arrives on the client's reconnection."""
    await ctx.info("Before disconnect")
    await ctx.close_stream()
    await asyncio.sleep(0.2)
    await ctx.info("After reconnect")
    return "Reconnection test completed"


@app.tool()
def test_x_mcp_header(
    region: Annotated[str | None, header("Region", "Deployment region")] = None,
) -> str:
    """Echoes an argument that is mirrored into the Mcp-Param-Region header."""
    return f"region={region}"


@app.tool()
def test_missing_capability(ctx: Context) -> str:
    """Needs the client's sampling capability; without it the call is refused (-32021)."""
    if "sampling" not in ctx.client_capabilities:
        raise missing_capability({"sampling": {}})
    return "Client declared sampling"


@app.tool()
async def test_logging_tool(ctx: Context) -> str:
    """Logs at info; silent unless the request asked for a log level."""
    await ctx.info("test_logging_tool ran")
    return "Logging tool completed"


@app.tool()
async def test_streaming_elicitation(ctx: Context) -> str:
    """Asks for a name through the era's input mechanism (never a request on the stream)."""
    answer = await ctx.elicit(
        "What is your name?", {"type": "object", "properties": {"name": {"type": "string"}}}
    )
    return f"Hello, {(answer.content or {}).get('name', 'stranger')}!"


async def _flash(kind: Literal["tools", "prompts"]) -> None:
    """Add a temporary entry to a list and take it away again, notifying each time."""

    def temporary() -> str:
        """Exists only while the list is changing."""
        return "temporary"

    name = f"test_temporary_{kind[:-1]}"
    register, remove = (
        (app.tool, app.remove_tool) if kind == "tools" else (app.prompt, app.remove_prompt)
    )
    register(name)(temporary)
    await app.list_changed(kind)
    remove(name)
    await app.list_changed(kind)


@app.tool()
async def test_trigger_tool_change() -> str:
    """Adds and removes a temporary tool, notifying listeners each time."""
    await _flash("tools")
    return "Tool list changed"


@app.tool()
async def test_trigger_prompt_change() -> str:
    """Adds and removes a temporary prompt, notifying listeners each time."""
    await _flash("prompts")
    return "Prompt list changed"
