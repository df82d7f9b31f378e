"""Content, progress and logging tools (contract §5.1, first part)."""

from __future__ import annotations

import asyncio

from mcp_foundry.authoring import Context, ToolError, audio, embedded, image, text

from .app import app
from .media import PNG, WAV


@app.tool()
def test_simple_text() -> str:
    """Returns a fixed text response."""
    return "This is a simple text response for testing."


@app.tool()
def test_image_content() -> dict[str, str]:
    """Returns one PNG image."""
    return image(PNG, "image/png")


@app.tool()
def test_audio_content() -> dict[str, str]:
    """Returns one WAV audio clip."""
    return audio(WAV, "audio/wav")


@app.tool()
def test_embedded_resource() -> dict[str, object]:
    """Returns an embedded text resource."""
    return embedded(
        "test://embedded-resource", "This is an embedded resource content.", "text/plain"
    )


@app.tool()
def test_multiple_content_types() -> list[dict[str, object]]:
    """Returns text, an image and an embedded JSON resource together."""
    return [
        text("Multiple content types test:"),
        image(PNG, "image/png"),
        embedded(
            "test://mixed-content-resource", '{"test":"data","value":123}', "application/json"
        ),
    ]


@app.tool()
def test_error_handling() -> str:
    """Always fails, as a tool error the model can read."""
    raise ToolError("This tool intentionally returns an error for testing")


@app.tool()
async def test_tool_with_progress(ctx: Context) -> str:
    """Reports progress 0, 50 and 100 of 100 before answering."""
    for step in (0, 50, 100):
        await ctx.progress(step, 100, f"step {step}")
        if step < 100:
            await asyncio.sleep(0.05)
    return "Progress test completed"


@app.tool()
async def test_tool_with_logging(ctx: Context) -> str:
    """Logs three info messages while it runs."""
    for line in ("Tool execution started", "Tool processing data", "Tool execution completed"):
        await ctx.info(line)
        await asyncio.sleep(0.05)
    return "Logging test completed"
