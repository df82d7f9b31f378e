"""Declare MCP servers as typed Python functions.

    from codegen.authoring import App, Context

    app = App("weather", "1.0.0")

    @app.tool()
    async def forecast(city: str, days: int = 3, ctx: Context | None = None) -> str:
        "Forecast for a city."
        ...

Tools, prompts and resources (and templates) are plain functions; schemas come from
their signatures through pydantic. ``App`` implements the generated 2026-07-28
``ServerHandlers``, so the runtime serves it to every protocol revision.
"""

from .app import App, models
from .content import audio, embedded, image, message, resource_contents, text
from .context import Context
from .errors import RpcError, ToolError
from .inputs import InputRequest, elicitation, roots, sampling, text_of
from .schema import header
from .tasks import Task, TaskStore

__all__ = [
    "App",
    "Context",
    "InputRequest",
    "RpcError",
    "Task",
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
