"""A small server written the way users write one, with tools that exercise the transport."""

from __future__ import annotations

import asyncio
from typing import Annotated

from mcp_foundry.authoring import App, Context, header

app = App("http-fixture", "1.0.0")

events: dict[str, asyncio.Event] = {}
"""Flags the tests read back: which handlers started, finished or were cancelled."""


def flag(name: str) -> asyncio.Event:
    return events.setdefault(name, asyncio.Event())


@app.tool()
def echo(text: str) -> str:
    """Returns its argument."""
    return text


@app.tool()
async def chatty(ctx: Context) -> str:
    """Logs and reports progress before answering, so the answer comes as SSE."""
    for step in range(3):
        await ctx.progress(step, 3)
        await ctx.info(f"step {step}")
    return "chatty done"


@app.tool()
async def slow(label: str, seconds: float = 30.0) -> str:
    """Sleeps; records whether it was cancelled (a client hanging up on the modern wire)."""
    flag(f"{label}:started").set()
    try:
        await asyncio.sleep(seconds)
    except asyncio.CancelledError:
        flag(f"{label}:cancelled").set()
        raise
    flag(f"{label}:finished").set()
    return f"slept {seconds}"


@app.tool()
async def reconnect(ctx: Context, drop_first: bool = False) -> str:
    """Drops its SSE stream mid-call (``drop_first``: before anything went out); the rest
    arrives on the client's resumption."""
    if not drop_first:
        await ctx.info("before the drop")
    await ctx.close_stream()
    await asyncio.sleep(0.2)
    await ctx.info("after the drop")
    return "resumed answer"


@app.tool()
async def ask_model(prompt: str, ctx: Context) -> str:
    """Asks the client's model (a server→client request on legacy wires)."""
    answer = await ctx.sample(prompt)
    return f"model said: {answer.content.text}"


@app.tool()
def region(
    where: Annotated[str | None, header("Region", "Deployment region")] = None,
) -> str:
    """Echoes an argument mirrored into the Mcp-Param-Region header."""
    return f"region={where}"


@app.tool()
async def touch_tools() -> str:
    """Announces a tool-list change to every listening client."""
    await app.list_changed("tools")
    return "announced"


@app.tool()
def bad_header(ratio: Annotated[float, header("Ratio")] = 1.0) -> str:
    """Mirrors a ``number`` into a header, which the spec forbids: HTTP clients must drop it."""
    return f"ratio={ratio}"
