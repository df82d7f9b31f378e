"""An authored App served by the real runtime on the 2026-07-28 wire (in process)."""

from __future__ import annotations

import base64

import pytest
from mcp_foundry.authoring import App, Context, ToolError, embedded, image, models, text
from pydantic import BaseModel

from .conftest import Client

pytestmark = pytest.mark.anyio


class Forecast(BaseModel):
    city: str
    high: int


@pytest.fixture
def app() -> App:
    app = App("test-app", "1.2.3")

    @app.tool()
    def echo(message: str, times: int = 1) -> str:
        """Echo a message."""
        return " ".join([message] * times)

    @app.tool()
    def blocks() -> list[dict[str, object]]:
        """Text, image and resource blocks."""
        return [
            text("a"),
            image(b"\x89PNG", "image/png"),
            embedded("test://x", b"\x00\x01", "application/octet-stream"),
        ]

    @app.tool()
    def model_block() -> models.TextContent:
        """A generated content model."""
        return models.TextContent(type="text", text="from a model")

    @app.tool()
    def whole_result() -> models.CallToolResult:
        """A whole generated result model."""
        return models.CallToolResult(
            result_type="complete",
            content=[models.TextContent(type="text", text="whole")],
            is_error=False,
        )

    @app.tool()
    def forecast(city: str) -> Forecast:
        """Structured output."""
        return Forecast(city=city, high=21)

    @app.tool()
    def data(n: int) -> object:
        """Plain data without an output schema."""
        return {"n": n, "squares": [n * n]} if n >= 0 else n < -10

    @app.tool()
    def refuse() -> str:
        """A tool error."""
        raise ToolError("not today")

    @app.tool()
    def crash() -> str:
        """An unexpected exception."""
        raise ValueError("boom")

    @app.tool()
    async def progress(ctx: Context) -> str:
        """Reports progress and logs."""
        await ctx.progress(1, 2)
        await ctx.info("halfway")
        await ctx.progress(2, 2)
        return "done"

    @app.tool()
    async def ask_name(ctx: Context) -> str:
        """Two input rounds."""
        first = await ctx.elicit(
            "Name?", {"type": "object", "properties": {"name": {"type": "string"}}}, key="name"
        )
        second = await ctx.elicit(
            "Colour?", {"type": "object", "properties": {"c": {"type": "string"}}}, key="colour"
        )
        return f"{first.content['name']} likes {second.content['c']}"

    @app.prompt()
    def greet(name: str, punctuation: str = "!") -> str:
        """Greet someone."""
        return f"Hello {name}{punctuation}"

    @app.resource("mem://notes", mime_type="text/plain")
    def notes() -> str:
        """Notes."""
        return "remember"

    @app.resource("mem://blob/{n}", mime_type="application/octet-stream")
    def blob(n: int) -> bytes:
        """N zero bytes."""
        return bytes(n)

    @app.completion(prompt="greet")
    def names(argument: str, value: str, _: object) -> list[str]:
        return [n for n in ("alice", "albert", "bob") if n.startswith(value)]

    return app


async def test_tools_list_in_declaration_order_with_caching_fields(client: Client) -> None:
    listed = await client.result("tools/list")
    assert [t["name"] for t in listed["tools"]][:3] == ["echo", "blocks", "model_block"]
    assert (
        listed["resultType"] == "complete"
        and listed["ttlMs"] == 0
        and listed["cacheScope"] == "private"
    )


async def test_arguments_are_validated_and_passed(client: Client) -> None:
    result = await client.call("echo", {"message": "hi", "times": 3})
    assert (
        result["content"] == [{"type": "text", "text": "hi hi hi"}]
        and result["resultType"] == "complete"
    )
    bad = await client.call("echo", {"times": "many"})
    assert bad["isError"] is True and "message" in bad["content"][0]["text"]


async def test_returns_blocks_models_and_whole_results(client: Client) -> None:
    content = (await client.call("blocks"))["content"]
    assert [c["type"] for c in content] == ["text", "image", "resource"]
    assert base64.b64decode(content[1]["data"]) == b"\x89PNG"
    assert content[2]["resource"] == {
        "uri": "test://x",
        "mimeType": "application/octet-stream",
        "blob": "AAE=",
    }
    assert (await client.call("model_block"))["content"] == [
        {"type": "text", "text": "from a model"}
    ]
    whole = await client.call("whole_result")
    assert whole["content"][0]["text"] == "whole" and whole["isError"] is False


async def test_structured_output(client: Client) -> None:
    result = await client.call("forecast", {"city": "Oslo"})
    assert result["structuredContent"] == {"city": "Oslo", "high": 21}
    assert '"high": 21' in result["content"][0]["text"]


async def test_plain_data_goes_out_as_json(client: Client) -> None:
    result = await client.call("data", {"n": 3})
    assert result["structuredContent"] == {"n": 3, "squares": [9]}
    assert result["content"] == [{"type": "text", "text": '{"n": 3, "squares": [9]}'}]
    assert (await client.call("data", {"n": -1}))["content"] == [{"type": "text", "text": "false"}]


async def test_tool_failures_reach_the_model_as_error_results(client: Client) -> None:
    refused = await client.call("refuse")
    assert refused["isError"] is True and refused["content"][0]["text"] == "not today"
    crashed = await client.call("crash")
    assert crashed["isError"] is True and crashed["content"][0]["text"] == "Tool crash failed"


async def test_unknown_tool_is_invalid_params(client: Client) -> None:
    error = await client.error("tools/call", {"name": "nope", "arguments": {}})
    assert error["code"] == -32602 and "nope" in error["message"]


async def test_progress_and_logs_follow_the_request_meta(client: Client) -> None:
    await client.result(
        "tools/call", {"name": "progress", "arguments": {}}, None, progressToken="tok"
    )
    methods = [n["method"] for n in client.notifications]
    assert methods == ["notifications/progress", "notifications/progress"], (
        "no log without a logLevel"
    )
    assert [n["params"]["progress"] for n in client.notifications] == [1, 2]
    client.notifications.clear()
    await client.result(
        "tools/call",
        {"name": "progress", "arguments": {}},
        None,
        **{"io.modelcontextprotocol/logLevel": "info"},
    )
    assert [n["method"] for n in client.notifications] == ["notifications/message"]


async def test_input_rounds_carry_earlier_answers(client: Client) -> None:
    caps = {"elicitation": {}}
    first = await client.call("ask_name", caps=caps)
    assert first["resultType"] == "input_required" and list(first["inputRequests"]) == ["name"]
    assert first["inputRequests"]["name"]["method"] == "elicitation/create"
    answer = {"name": {"action": "accept", "content": {"name": "Ada"}}}
    second = await client.call(
        "ask_name", caps=caps, inputResponses=answer, requestState=first["requestState"]
    )
    assert (
        list(second["inputRequests"]) == ["colour"]
        and second["requestState"] != first["requestState"]
    )
    third = await client.call(
        "ask_name",
        caps=caps,
        inputResponses={"colour": {"action": "accept", "content": {"c": "green"}}},
        requestState=second["requestState"],
    )
    assert third["content"][0]["text"] == "Ada likes green"


async def test_input_needs_the_client_capability(client: Client) -> None:
    error = await client.error("tools/call", {"name": "ask_name", "arguments": {}})
    assert error["code"] == -32021 and error["data"] == {
        "requiredCapabilities": {"elicitation": {}}
    }


async def test_prompts(client: Client) -> None:
    listed = (await client.result("prompts/list"))["prompts"]
    assert listed[0]["arguments"] == [
        {"name": "name", "required": True},
        {"name": "punctuation", "required": False},
    ]
    got = await client.result("prompts/get", {"name": "greet", "arguments": {"name": "Ada"}})
    assert got["messages"] == [{"role": "user", "content": {"type": "text", "text": "Hello Ada!"}}]
    missing = await client.error("prompts/get", {"name": "greet", "arguments": {}})
    assert missing["code"] == -32602 and "name" in missing["message"]


async def test_resources_and_templates(client: Client) -> None:
    listed = await client.result("resources/list")
    assert listed["resources"] == [
        {"uri": "mem://notes", "name": "notes", "description": "Notes.", "mimeType": "text/plain"}
    ]
    templates = (await client.result("resources/templates/list"))["resourceTemplates"]
    assert templates[0]["uriTemplate"] == "mem://blob/{n}"
    read = await client.result("resources/read", {"uri": "mem://notes"})
    assert read["contents"] == [
        {"uri": "mem://notes", "mimeType": "text/plain", "text": "remember"}
    ]
    blob = await client.result("resources/read", {"uri": "mem://blob/3"})
    assert base64.b64decode(blob["contents"][0]["blob"]) == bytes(3)
    bad_var = await client.error("resources/read", {"uri": "mem://blob/three"})
    assert bad_var["code"] == -32602
    missing = await client.error("resources/read", {"uri": "mem://missing"})
    assert missing["code"] == -32602 and missing["data"] == {"uri": "mem://missing"}


async def test_completion(client: Client) -> None:
    params = {
        "ref": {"type": "ref/prompt", "name": "greet"},
        "argument": {"name": "name", "value": "al"},
    }
    completion = (await client.result("completion/complete", params))["completion"]
    assert completion == {"values": ["alice", "albert"], "total": 2, "hasMore": False}
