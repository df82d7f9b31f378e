"""The app the scale tests run as several instances: task tools, an input round, tools
that raise list and resource changes. ``python modern_app.py --transport http --port P
--store URL --state-secret-file F [--lease S]`` serves it as one instance of a cluster."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from mcp_foundry.authoring import App, Context, SharedTaskStore, elicitation
from mcp_foundry.authoring.deploy_options import add_deploy_options, deploy_settings
from mcp_foundry.runtime.store import Store

HAPPENED: dict[int, list[str]] = {}
"""What the ``hold`` tool saw, by ``id(app)`` (in-process instances)."""


def build_app(store: Store | None = None, *, lease_s: float | None = None) -> App:
    """The app every instance serves. With ``lease_s`` its tasks go to a
    :class:`SharedTaskStore` over ``store`` made here; without, the app picks one itself
    (its server has a shared store)."""
    tasks = None
    if lease_s is not None:
        assert store is not None
        tasks = SharedTaskStore(store, ttl_ms=60_000, poll_interval_ms=50, lease_s=lease_s)
    app = App("scale-app", "1.0.0", tasks=tasks)

    @app.tool(task="optional")
    async def slow(seconds: float) -> str:
        """Sleep, then say so."""
        await asyncio.sleep(seconds)
        return f"slept {seconds}"

    happened = HAPPENED.setdefault(id(app), [])

    @app.tool(task="optional")
    async def hold(key: str) -> str:
        """Runs until cancelled; notes that it started and how it ended."""
        happened.append(f"{key}:started")
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            happened.append(f"{key}:cancelled")
            raise
        return "held"

    @app.tool(task="optional")
    async def confirm(ctx: Context) -> str:
        """Asks first (as a task: input_required until answered)."""
        form = {"type": "object", "properties": {"ok": {"type": "boolean"}}}
        answer = await ctx.elicit("Proceed?", form, key="go")
        return f"{answer.action}: {answer.content}"

    @app.tool(task="optional")
    async def pair(ctx: Context) -> str:
        """Asks for two inputs at once (as a task: each answer may come on its own)."""
        form = {"type": "object", "properties": {"v": {"type": "string"}}}
        got = await ctx.ask({"name": elicitation("Name?", form), "age": elicitation("Age?", form)})
        return f"{got['name'].content['v']}, {got['age'].content['v']}"

    @app.tool()
    async def two_rounds(ctx: Context) -> str:
        """Two input rounds in a row (requestState carries the first answer)."""
        form = {"type": "object", "properties": {"v": {"type": "string"}}}
        first = await ctx.ask({"first": elicitation("First?", form)})
        second = await ctx.ask({"second": elicitation("Second?", form)})
        return f"{first['first'].content['v']}+{second['second'].content['v']}"

    @app.tool()
    async def change_tools() -> str:
        """Raises tools list_changed on whichever instance runs it."""
        await app.list_changed("tools")
        return "changed"

    @app.tool()
    async def update_note(uri: str) -> str:
        """Raises resources/updated for ``uri``."""
        await app.resource_updated(uri)
        return "updated"

    @app.resource("note://{name}")
    def note(name: str) -> str:
        """A note."""
        return f"note {name}"

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--transport", choices=("http",), default="http")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log-level", default="WARNING")
    parser.add_argument("--lease", type=float, default=None, help="task lease seconds")
    add_deploy_options(parser)
    args = parser.parse_args()
    deploy = deploy_settings(parser, args)
    logging.basicConfig(stream=sys.stderr, level=args.log_level.upper())
    app = build_app()
    app.use_store(deploy["store"], deploy["state_secret"])
    app.runtime()
    if args.lease is not None and isinstance(app.task_store, SharedTaskStore):
        app.task_store.lease_s = args.lease
    app.run("http", port=args.port)


if __name__ == "__main__":
    main()
