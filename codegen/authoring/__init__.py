"""Declare MCP servers as typed Python functions; serve them to every protocol revision.

    from typing import Annotated
    from mcp_foundry.authoring import App, Context, ToolError, header, models

    app = App("weather", "1.0.0")

    @app.tool(annotations={"readOnlyHint": True})
    async def forecast(city: str, days: int = 3, ctx: Context | None = None) -> str:
        "Forecast for a city."           # the description; the schema comes from the signature
        ...

    @app.tool(task="optional")           # tasks extension: may run on as a background task
    async def report(
        region: Annotated[str, header("Region")], ctx: Context
    ) -> models.CallToolResult:
        yes = {"type": "object", "properties": {"yes": {"type": "boolean"}}}
        ok = await ctx.elicit("Send it?", yes)
        ...

    @app.resource("weather://stations/{id}", mime_type="application/json")
    def station(id: str) -> str: ...

    @app.prompt()
    def brief(city: str) -> str: ...

    app.run("stdio")                     # or app.run("http", port=8000), or app.http_app()

A tool returns a str, content blocks (``text``/``image``/``audio``/``embedded``), a pydantic
model (→ ``structuredContent`` + ``outputSchema``) or a whole generated result model.
``ToolError`` is a tool-level failure (``isError``) whose message the client reads; any
other exception reaches the client only as "Tool <name> failed" (logged on stderr);
``RpcError`` is a JSON-RPC error.
``ctx`` offers progress, logging, ``elicit``/``sample``/``list_roots``/``ask`` (server→client
requests on legacy wires, ``InputRequiredResult`` rounds at 2026-07-28, ``input_required``
inside a task), ``detach()`` and ``close_stream()``. ``App`` implements the generated
2026-07-28 ``ServerHandlers``; ``app.list_changed(kind)`` and ``app.resource_updated(uri)``
notify listening clients.
"""

from mcp_foundry.runtime.startup import lifelong

with lifelong():  # what this layer stands on loads without collections (issue #15)
    from .app import App, models
    from .content import audio, embedded, image, message, resource_contents, text
    from .context import Context
    from .errors import RpcError, ToolError
    from .inputs import InputRequest, elicitation, roots, sampling, text_of
    from .schema import header
    from .shared_tasks import SharedTaskStore
    from .tasks import Task, TaskBackend, TaskStore

__all__ = [
    "App",
    "Context",
    "InputRequest",
    "RpcError",
    "Task",
    "SharedTaskStore",
    "TaskBackend",
    "TaskStore",
    "ToolError",
    "audio",
    "elicitation",
    "embedded",
    "header",
    "image",
    "message",
    "models",
    "resource_contents",
    "roots",
    "sampling",
    "text",
    "text_of",
]
