"""Resources, resource templates, prompts and completions (contract §5.2, §5.3)."""

from __future__ import annotations

import json
from typing import Any

from mcp_foundry.authoring import embedded, image, message

from .app import app
from .media import PNG


@app.resource("test://static-text", name="static-text", mime_type="text/plain")
def static_text() -> str:
    """A fixed text resource."""
    return "This is the content of the static text resource."


@app.resource("test://static-binary", name="static-binary", mime_type="image/png")
def static_binary() -> bytes:
    """A fixed PNG image."""
    return PNG


@app.resource("test://watched-resource", name="watched-resource", mime_type="text/plain")
def watched_resource() -> str:
    """A resource clients may subscribe to."""
    return "Watched resource content."


@app.resource("test://template/{id}/data", name="template-data", mime_type="application/json")
def template_data(id: str) -> str:
    """JSON data for any id."""
    return json.dumps(
        {"id": id, "templateTest": True, "data": f"Data for ID: {id}"}, separators=(",", ":")
    )


@app.prompt()
def test_simple_prompt() -> str:
    """A prompt without arguments."""
    return "This is a simple prompt for testing."


@app.prompt()
def test_prompt_with_arguments(arg1: str, arg2: str) -> str:
    """A prompt with two required arguments."""
    return f"Prompt with arguments: arg1='{arg1}', arg2='{arg2}'"


@app.prompt()
def test_prompt_with_embedded_resource(resourceUri: str) -> list[dict[str, Any]]:
    """A prompt that embeds a resource."""
    return [
        message(
            "user", embedded(resourceUri, "Embedded resource content for testing.", "text/plain")
        ),
        message("user", "Please process the embedded resource above."),
    ]


@app.prompt()
def test_prompt_with_image() -> list[dict[str, Any]]:
    """A prompt that carries an image."""
    return [
        message("user", image(PNG, "image/png")),
        message("user", "Please analyze the image above."),
    ]


@app.completion(prompt="test_prompt_with_arguments")
def complete_prompt_arguments(argument: str, value: str, _context: Any) -> list[str]:
    """Suggestions for the two arguments, filtered by what was typed so far."""
    options = {"arg1": ["test1", "test2", "testing"], "arg2": ["value1", "value2"]}.get(
        argument, []
    )
    return [option for option in options if option.startswith(value)]


@app.completion(template="test://template/{id}/data")
def complete_template_id(argument: str, value: str, _context: Any) -> list[str]:
    return [i for i in ("1", "2", "123") if i.startswith(value)] if argument == "id" else []
