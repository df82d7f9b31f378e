"""A stdio server whose tools observe how the engine starts requests (``test_worker.py``):
their context variables, their task across awaits, cancelling their own task.

    python tests/runtime/rt_worker_server.py [--timeout S]
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars

import anyio
from mcp_foundry.authoring import App

SEEN: contextvars.ContextVar[str] = contextvars.ContextVar("seen", default="unset")


def build(timeout: float | None) -> App:
    app = App("worker-fixture", "1.0.0", request_timeout=timeout)

    @app.tool()
    async def remember(value: str, seconds: float = 0.0) -> str:
        """Set a context variable; report what it held before and after waiting."""
        before = SEEN.get()
        SEEN.set(value)
        if seconds:
            await anyio.sleep(seconds)
        return f"{before}->{SEEN.get()}"

    @app.tool()
    async def scoped(seconds: float = 0.01) -> str:
        """A cancel scope and an asyncio timeout around an await: both fail if the task
        that leaves them is not the one that entered them."""
        task = asyncio.current_task()
        with anyio.fail_after(5):
            async with asyncio.timeout(5):
                await anyio.sleep(seconds)
        return "same task" if asyncio.current_task() is task else "another task"

    @app.tool()
    async def cancel_own_task() -> str:
        """Cancel its own task and return without awaiting: the cancellation is its own."""
        task = asyncio.current_task()
        assert task is not None
        task.cancel()
        return "returned"

    @app.tool()
    async def crash() -> str:
        raise RuntimeError("secret detail")

    @app.tool()
    async def nap(seconds: float) -> str:
        await anyio.sleep(seconds)
        return "rested"

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--timeout", type=float, default=None)
    options = parser.parse_args()
    build(options.timeout).run("stdio")


if __name__ == "__main__":
    main()
