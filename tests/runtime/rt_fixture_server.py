"""A server written against the 2026-07-28 handler interface, run as a real subprocess
by the runtime tests: ``python tests/runtime/fixture_server.py [--timeout S]``."""

from __future__ import annotations

import argparse
import logging
from typing import Any

import anyio
from mcp_foundry import generated
from mcp_foundry.generated.rev_2026_07_28.handlers import ServerHandlers
from mcp_foundry.runtime.errors import INVALID_PARAMS, RpcError
from mcp_foundry.runtime.server import Server
from mcp_foundry.runtime.stdio import serve_stdio

m = generated.load("2026-07-28").models
CANCELLED: list[Any] = []


def tool(name: str, **extra: Any) -> Any:
    return m.Tool(name=name, description=f"{name} tool", input_schema={"type": "object"}, **extra)


TOOLS = [
    tool(
        "echo",
        title="Echo",
        icons=[m.Icon(src="https://example.com/i.png")],
        output_schema={"type": "object"},
    ),
    tool("slow"),
    tool("crash"),
    tool("bad_result"),
    tool("progress"),
    tool("log"),
    tool("ask_name"),
    tool("two_questions"),
    tool("sample"),
    tool("roots"),
    tool("rich"),
    tool("cancelled_count"),
    tool("notify_tools"),
    tool("pick_many"),
    tool("own_round"),
]


def text(value: str) -> Any:
    return m.TextContent(text=value)


def form(message: str, field: str) -> dict[str, Any]:
    schema = {"type": "object", "properties": {field: {"type": "string"}}}
    return {"mode": "form", "message": message, "requestedSchema": schema}


def done(*content: Any, **extra: Any) -> Any:
    return m.CallToolResult(result_type="complete", content=list(content), **extra)


class Fixture(ServerHandlers):
    server: Server

    async def tools_list(self, params: Any, ctx: Any) -> Any:
        return m.ListToolsResult(
            result_type="complete", ttl_ms=0, cache_scope="private", tools=TOOLS
        )

    async def tools_call(self, params: Any, ctx: Any) -> Any:
        args = params.arguments or {}
        name = params.name
        if name == "echo":
            return done(
                text(str(args.get("text", ""))), structured_content={"text": args.get("text")}
            )
        if name == "slow":
            await ctx.progress(0, message="started")  # lets tests wait until the handler runs
            try:
                await anyio.sleep(float(args.get("seconds", 5)))
            except anyio.get_cancelled_exc_class():
                CANCELLED.append(ctx.request_id)
                raise
            return done(text("slow done"))
        if name == "crash":
            raise RuntimeError("secret internal detail /etc/passwd")
        if name == "bad_result":
            return {"content": "not a list"}
        if name == "progress":
            for step in (0, 50, 100):
                await ctx.progress(step, 100, f"step {step}")
            return done(text("progressed"))
        if name == "log":
            for level in ("debug", "info", "error"):
                await ctx.log(level, f"{level} line", logger="fixture")
            return done(text("logged"))
        if name == "ask_name":
            answer = await ctx.elicit(form("Your name?", "name"))
            return done(text(f"Hello, {(answer.content or {}).get('name')}! ({answer.action})"))
        if name == "two_questions":
            first = await ctx.elicit(form("Step 1: name?", "name"))
            second = await ctx.elicit(form("Step 2: color?", "color"))
            return done(text(f"{first.content['name']} likes {second.content['color']}"))
        if name == "pick_many":  # multi-select enums exist from 2025-11-25 on
            many = {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}}
            schema = {"type": "object", "properties": {"picks": many}}
            answer = await ctx.elicit(
                {"mode": "form", "message": "Pick", "requestedSchema": schema}
            )
            return done(text(f"picked {answer.action}"))
        if name == "sample":
            reply = await ctx.sample(
                {
                    "messages": [
                        {"role": "user", "content": {"type": "text", "text": "Capital of France?"}}
                    ],
                    "maxTokens": 10,
                }
            )
            content = reply.content
            said = getattr(content, "text", None) or getattr(content[0], "text", "")
            return done(text(f"Model said: {said}"))
        if name == "roots":
            listed = await ctx.list_roots()
            return done(text(f"{len(listed.roots)} roots"))
        if name == "rich":
            return done(
                text("rich"),
                m.AudioContent(data="UklGRg==", mime_type="audio/wav"),
                m.ResourceLink(uri="test://linked", name="linked", title="Linked"),
                structured_content={"ok": True},
            )
        if name == "own_round":  # runs its own input round with its own requestState
            if params.request_state is None:
                return m.InputRequiredResult(result_type="input_required", request_state="mine")
            return done(text(f"own state: {params.request_state}"))
        if name == "cancelled_count":
            return done(text(str(len(CANCELLED))))
        if name == "notify_tools":
            await self.server.notify_list_changed("tools")
            return done(text("notified"))
        raise RpcError(INVALID_PARAMS, f"Unknown tool: {name}", {"name": name})

    async def prompts_list(self, params: Any, ctx: Any) -> Any:
        prompt = m.Prompt(name="greet", title="Greeting", description="Say hi")
        return m.ListPromptsResult(
            result_type="complete", ttl_ms=0, cache_scope="private", prompts=[prompt]
        )

    async def completion_complete(self, params: Any, ctx: Any) -> Any:
        return m.CompleteResult(
            result_type="complete", completion=m.CompleteResultCompletion(values=["a", "b"])
        )


def build(timeout: float | None = None, versions: tuple[str, ...] | None = None) -> Server:
    handlers = Fixture()
    server = Server(
        handlers,
        name="fixture",
        version="1.0.0",
        request_timeout=timeout,
        instructions="for tests",
        versions=versions,
    )
    handlers.server = server
    return server


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--timeout", type=float, default=None)
    parser.add_argument("--grace", type=float, default=30.0)
    parser.add_argument("--versions", default=None, help="comma-separated wire versions to serve")
    options = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    versions = tuple(options.versions.split(",")) if options.versions else None
    anyio.run(lambda: serve_stdio(build(options.timeout, versions), grace=options.grace))


if __name__ == "__main__":
    main()
