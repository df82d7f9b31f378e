"""A server that is the requestor of tasks its client runs (2025-11-25): its tools send the
client task-augmented sampling and the ``tasks/*`` requests as raw requests and report
what came back, and it records the ``notifications/tasks/status`` the client sends. Run it
with ``python requestor_server.py`` (stdio) or ``python requestor_server.py http PORT``."""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from typing import Any

import anyio
from mcp_foundry import generated
from mcp_foundry.generated.rev_2025_11_25.handlers import ServerHandlers
from mcp_foundry.runtime.errors import RpcError
from mcp_foundry.runtime.server import Server
from mcp_foundry.runtime.stdio import serve_stdio

m = generated.load("2025-11-25").models
TOOLS = ["delegate", "pages", "peek", "result", "statuses"]
SAMPLE = {
    "messages": [{"role": "user", "content": {"type": "text", "text": "Summarize MCP"}}],
    "maxTokens": 50,
}


def answer(value: Any) -> Any:
    return m.CallToolResult(content=[m.TextContent(type="text", text=json.dumps(value))])


class Requestor(ServerHandlers):
    def __init__(self) -> None:
        self.statuses: dict[str, list[dict[str, Any]]] = defaultdict(list)

    async def tools_list(self, params: Any, ctx: Any) -> Any:
        schema = {"type": "object"}
        return m.ListToolsResult(tools=[m.Tool(name=n, input_schema=schema) for n in TOOLS])

    async def tools_call(self, params: Any, ctx: Any) -> Any:
        args = params.arguments or {}
        if params.name == "delegate":
            ids = []
            for _ in range(int(args.get("count", 1))):
                created = await ctx.request("sampling/createMessage", {**SAMPLE, "task": {}})
                ids.append(created["task"]["taskId"])
            return answer(ids)
        if params.name == "pages" and "cursor" in args:
            try:
                return answer(await ctx.request("tasks/list", {"cursor": args["cursor"]}))
            except RpcError as exc:
                return answer({"error": exc.code})
        if params.name == "pages":
            sizes, ids, cursor = [], [], None
            while True:
                page = await ctx.request("tasks/list", {} if cursor is None else {"cursor": cursor})
                sizes.append(len(page["tasks"]))
                ids += [t["taskId"] for t in page["tasks"]]
                cursor = page.get("nextCursor")
                if cursor is None:
                    return answer({"sizes": sizes, "ids": ids})
        if params.name == "peek":
            seen: dict[str, Any] = {}
            for method in ("tasks/get", "tasks/result", "tasks/cancel"):
                try:
                    seen[method] = await ctx.request(method, {"taskId": args["taskId"]})
                except RpcError as exc:
                    seen[method] = exc.code
            return answer(seen)
        if params.name == "result":
            return answer(await ctx.request("tasks/result", {"taskId": args["taskId"]}))
        return answer(self.statuses[ctx.session.id])

    async def notifications_tasks_status(self, params: Any, ctx: Any) -> None:
        self.statuses[ctx.session.id].append(params.model_dump(by_alias=True, mode="json"))


def build() -> Server:
    return Server(Requestor(), name="requestor", version="1.0.0")


if __name__ == "__main__":
    if sys.argv[1:2] == ["http"]:
        from mcp_foundry.runtime.http import create_app, serve

        serve(create_app(build()), host="127.0.0.1", port=int(sys.argv[2]))
    else:
        anyio.run(lambda: serve_stdio(build()))
