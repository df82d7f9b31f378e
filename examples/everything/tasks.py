"""Task fixtures: the tasks extension (SEP-2663, contract §6.3) and, on 2025-11-25
sessions, the protocol's own tasks.

With the extension declared, task-supporting tools answer with a ``CreateTaskResult``
and run on in the background; without it, optional ones run inline and required ones
are refused with -32021. On 2025-11-25 the same tools are listed with
``execution.taskSupport`` and run as tasks when the call carries ``params.task``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from mcp_foundry.authoring import Context, RpcError, ToolError, elicitation
from mcp_foundry.authoring.content import wire
from mcp_foundry.authoring.errors import INTERNAL_ERROR

from .app import app


def _accepted(answer: Any) -> bool:
    return bool(wire(answer).get("action") == "accept")


@app.tool()
def greet(name: str) -> str:
    """Greets someone, synchronously."""
    return f"Hello, {name}!"


@app.tool(task="optional")
async def slow_compute(seconds: float, label: str = "") -> str:
    """Sleeps for the given number of seconds, then reports."""
    await asyncio.sleep(seconds)
    return f"Computed {label or 'result'} after {seconds:g}s"


@app.tool(task="required")
async def failing_job() -> str:
    """Runs for a second, then fails with a tool error."""
    await asyncio.sleep(1)
    raise ToolError("failing_job failed on purpose")


@app.tool(task="optional")
async def protocol_error_job() -> str:
    """Runs briefly, then fails with a protocol-level (JSON-RPC) error."""
    await asyncio.sleep(0.2)
    raise RpcError(INTERNAL_ERROR, "protocol_error_job hit an internal error on purpose")


@app.tool(task="optional")
async def confirm_delete(filename: str, ctx: Context) -> str:
    """Asks for confirmation before (pretending to) delete a file."""
    schema = {
        "type": "object",
        "properties": {"confirm": {"type": "boolean"}},
        "required": ["confirm"],
    }
    answer = await ctx.elicit(f"Delete {filename}?", schema, key="confirm_delete")
    return f"Deleted {filename}" if _accepted(answer) else f"Kept {filename}"


@app.tool(task="optional")
async def multi_input(ctx: Context) -> str:
    """Asks two questions at once and waits for both answers."""
    answers = await ctx.ask(
        {
            "name": elicitation(
                "What is your name?", {"type": "object", "properties": {"name": {"type": "string"}}}
            ),
            "confirm": elicitation(
                "Proceed?", {"type": "object", "properties": {"confirm": {"type": "boolean"}}}
            ),
        }
    )
    name = (wire(answers["name"]).get("content") or {}).get("name")
    return f"Got name={name}, confirmed={_accepted(answers['confirm'])}"


@app.tool(task="required", detach="explicit")
async def test_tool_with_task(ctx: Context) -> str:
    """Asks for a name first (an input round), then finishes the work as a task."""
    schema = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
    answer = await ctx.elicit("What is your name?", schema, key="user_name")
    name = (wire(answer).get("content") or {}).get("name")
    await ctx.detach()
    await asyncio.sleep(0.3)
    return f"Task finished for {name}"
