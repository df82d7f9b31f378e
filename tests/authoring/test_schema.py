"""Tool declarations: schemas from signatures, metadata, and the verbatim escape hatch."""

from __future__ import annotations

import copy
from typing import Annotated, Literal

import pytest
from mcp_foundry.authoring import App, Context, header
from pydantic import BaseModel, Field


class Point(BaseModel):
    x: float
    y: float


class Forecast(BaseModel):
    city: str
    high: int


def test_schema_comes_from_the_signature(app: App) -> None:
    @app.tool()
    def plot(
        label: str,
        points: list[Point],
        style: Literal["line", "bar"] = "line",
        width: Annotated[int, Field(description="Pixels", ge=1)] = 640,
        note: str | None = None,
        ctx: Context | None = None,
    ) -> str:
        """Plot some points.

        Longer explanation."""
        return label

    tool = app.tools["plot"].describe()
    schema = tool["inputSchema"]
    assert tool["description"] == "Plot some points.\n\nLonger explanation."
    assert schema["type"] == "object"
    assert schema["required"] == ["label", "points"]
    assert set(schema["properties"]) == {"label", "points", "style", "width", "note"}, (
        "ctx is not an argument"
    )
    assert schema["properties"]["style"] == {
        "default": "line",
        "enum": ["line", "bar"],
        "type": "string",
    }
    assert schema["properties"]["width"] == {
        "default": 640,
        "description": "Pixels",
        "minimum": 1,
        "type": "integer",
    }
    assert schema["properties"]["note"] == {"type": "string"}, (
        "Optional[str] = None reads as a plain optional string"
    )
    assert schema["properties"]["points"] == {"items": {"$ref": "#/$defs/Point"}, "type": "array"}
    assert schema["$defs"]["Point"]["required"] == ["x", "y"]
    assert "title" not in schema and "title" not in schema["properties"]["label"]


def test_header_annotation_and_metadata(app: App) -> None:
    @app.tool(
        "deploy.run",
        title="Deploy",
        annotations={"destructiveHint": True},
        icons=[{"src": "https://example.com/i.png", "mimeType": "image/png"}],
        task="optional",
    )
    def deploy(region: Annotated[str, header("Region")]) -> str:
        """Deploy somewhere."""
        return region

    tool = app.tools["deploy.run"].describe()
    assert tool["name"] == "deploy.run" and tool["title"] == "Deploy"
    assert tool["inputSchema"]["properties"]["region"]["x-mcp-header"] == "Region"
    assert tool["annotations"] == {"destructiveHint": True}
    assert tool["icons"][0]["src"] == "https://example.com/i.png"
    assert "execution" not in tool, (
        "tasks are server-directed (SEP-2663); 2025-11-25 execution would mislead"
    )
    assert app.tools["deploy.run"].task_support == "optional"


def test_output_schema_from_a_model_return(app: App) -> None:
    @app.tool()
    def forecast(city: str) -> Forecast:
        """Forecast."""
        return Forecast(city=city, high=20)

    @app.tool()
    def plain() -> str:
        """Plain."""
        return ""

    assert app.tools["forecast"].describe()["outputSchema"]["required"] == ["city", "high"]
    assert "outputSchema" not in app.tools["plain"].describe()


def test_verbatim_input_schema_goes_out_unmodified(app: App) -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "$defs": {"a": {"$anchor": "A", "type": "string"}},
        "properties": {"v": {"$ref": "#/$defs/a"}},
        "if": {"required": ["v"]},
        "then": {"required": ["v"]},
        "additionalProperties": False,
    }
    pristine = copy.deepcopy(schema)

    @app.tool(input_schema=schema)
    def raw(**arguments: object) -> str:
        """Raw."""
        return str(arguments)

    assert app.tools["raw"].describe()["inputSchema"] == pristine


@pytest.mark.parametrize("name", ["", "has space", "x" * 65, "slash/name"])
def test_bad_tool_names_are_refused(app: App, name: str) -> None:
    def tool() -> str:
        """T."""
        return ""

    with pytest.raises(ValueError, match="1-64 characters"):
        app.tool(name)(tool)


def test_prompt_and_resource_declarations(app: App) -> None:
    @app.prompt(title="Review")
    def review(code: str, language: str = "python") -> str:
        """Review code."""
        return code

    @app.resource("file://{path}", mime_type="text/plain")
    def file(path: str) -> str:
        """A file."""
        return path

    prompt = app.prompts["review"].describe()
    assert prompt["arguments"] == [
        {"name": "code", "required": True},
        {"name": "language", "required": False},
    ]
    assert prompt["title"] == "Review" and prompt["description"] == "Review code."
    template = app.resources["file://{path}"]
    assert template.is_template and template.describe()["uriTemplate"] == "file://{path}"
    assert template.match("file://notes.txt") == {"path": "notes.txt"}
    assert template.match("http://notes.txt") is None
