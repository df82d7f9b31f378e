"""A server with task tools for the 2025-11-25 protocol-task tests; run it with
``python tasks_app.py`` (stdio) or ``python tasks_app.py http PORT``."""

from __future__ import annotations

import asyncio
import sys

from mcp_foundry.authoring import (
    App,
    Context,
    RpcError,
    TaskStore,
    ToolError,
    sampling,
    text_of,
)


def build(page_size: int | None = 2) -> App:
    app = App(
        "tasks-app",
        "1.0.0",
        tasks=TaskStore(ttl_ms=60_000, poll_interval_ms=50),
        page_size=page_size,
    )

    @app.tool(task="optional")
    async def slow(seconds: float) -> str:
        """Sleep, then say so."""
        await asyncio.sleep(seconds)
        return f"slept {seconds}"

    @app.tool(task="required")
    async def only_task() -> str:
        """Runs only as a task."""
        return "ran as a task"

    @app.tool()
    def plain() -> str:
        """Never a task."""
        return "plain"

    @app.tool(task="optional")
    async def failing() -> str:
        """A tool error: the task fails, its result says why."""
        raise ToolError("tool said no")

    @app.tool(task="optional")
    async def broken() -> str:
        """A protocol error: tasks/result answers it."""
        raise RpcError(-32603, "internal trouble")

    @app.tool(task="optional")
    async def confirm(ctx: Context) -> str:
        """Asks the user first (the task goes input_required)."""
        form = {"type": "object", "properties": {"ok": {"type": "boolean"}}}
        answer = await ctx.elicit("Proceed?", form)
        return f"{answer.action}: {answer.content}"

    @app.tool(task="optional")
    async def steps(count: int, ctx: Context) -> str:
        """Reports progress while it runs."""
        for step in range(1, count + 1):
            await ctx.progress(step, count, f"step {step}")
        return f"{count} steps"

    @app.tool()
    async def summarize(ctx: Context) -> str:
        """Asks the client's model, as a task where the client runs those."""
        answer = await ctx.ask_as_task(sampling("Summarize MCP"), ttl_ms=30_000)
        return text_of(answer)

    @app.tool(task="optional")
    async def chatty(ctx: Context) -> str:
        """Logs while it runs as a task."""
        await ctx.info("chatty: working")
        await ctx.log("debug", {"step": 2}, logger="chatty")
        return "chatted"

    @app.tool(task="optional")
    async def patient(seconds: float, ctx: Context) -> str:
        """Sleeps; says so in a log if it is stopped first."""
        try:
            await asyncio.sleep(seconds)
        except asyncio.CancelledError:
            await ctx.warning("patient: stopped")
            raise
        return "waited"

    @app.tool(task="optional")
    async def summarize_later(ctx: Context) -> str:
        """As summarize, from inside a task when called as one."""
        answer = await ctx.ask_as_task(sampling("Summarize tasks"), ttl_ms=30_000)
        return text_of(answer)

    return app


if __name__ == "__main__":
    if sys.argv[1:2] == ["http"]:
        build().run("http", port=int(sys.argv[2]))
    else:
        build().run()
