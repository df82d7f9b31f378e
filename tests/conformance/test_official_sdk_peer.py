"""The everything server with the official Python SDK (``mcp``) as the client, legacy
wire, over Streamable HTTP and stdio.

Covers what the harness checks only by shape: server→client elicitation and sampling
answered by a real peer's callbacks, progress and log delivery, resource templates.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp import ClientSession, types
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

from .harness import REPO, everything_server

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.timeout(60),
    pytest.mark.filterwarnings("ignore:The logging capability is deprecated"),
]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log: Path = tmp_path_factory.mktemp("sdk-peer") / "server.log"
    with everything_server(log) as server_url:
        yield server_url


async def _elicit(_ctx: Any, params: Any) -> types.ElicitResult:
    return types.ElicitResult(
        action="accept", content={"username": "ada", "email": "ada@example.com"}
    )


async def _sample(_ctx: Any, params: Any) -> types.CreateMessageResult:
    asked = params.messages[0].content.text
    return types.CreateMessageResult(
        role="assistant", content=types.TextContent(type="text", text=f"echo:{asked}"), model="test"
    )


async def test_legacy_session_end_to_end(url: str) -> None:
    logs: list[Any] = []

    async def on_log(params: Any) -> None:
        logs.append(params)

    async with streamable_http_client(url) as streams:
        async with ClientSession(
            streams[0],
            streams[1],
            elicitation_callback=_elicit,
            sampling_callback=_sample,
            logging_callback=on_log,
        ) as session:
            init = await session.initialize()
            assert init.protocol_version == "2025-11-25"
            assert (
                init.capabilities.tools is not None
                and init.capabilities.resources.subscribe is True
            )

            tools = (await session.list_tools()).tools
            assert tools[0].name == "test_simple_text"
            assert {"greet", "slow_compute", "json_schema_2020_12_tool"} <= {t.name for t in tools}

            elicited = await session.call_tool("test_elicitation", {"message": "Who are you?"})
            assert (
                elicited.content[0].text == "User response: action=accept, "
                'content={"username": "ada", "email": "ada@example.com"}'
            )

            sampled = await session.call_tool("test_sampling", {"prompt": "capital of France?"})
            assert sampled.content[0].text == "LLM response: echo:capital of France?"

            progress: list[float] = []

            async def on_progress(value: float, total: float | None, message: str | None) -> None:
                progress.append(value)

            await session.call_tool("test_tool_with_progress", {}, progress_callback=on_progress)
            assert progress == [0, 50, 100]

            await session.set_logging_level("info")
            await session.call_tool("test_tool_with_logging", {})
            assert [entry.data for entry in logs][-3:] == [
                "Tool execution started",
                "Tool processing data",
                "Tool execution completed",
            ]

            error = await session.call_tool("test_error_handling", {})
            assert error.is_error is True

            data = await session.read_resource("test://template/42/data")
            assert (
                data.contents[0].text == '{"id":"42","templateTest":true,"data":"Data for ID: 42"}'
            )
            prompt = await session.get_prompt(
                "test_prompt_with_arguments", {"arg1": "a", "arg2": "b"}
            )
            assert prompt.messages[0].content.text == "Prompt with arguments: arg1='a', arg2='b'"


async def test_stdio_transport(tmp_path: Path) -> None:
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "examples.everything", "--transport", "stdio"],
        cwd=str(REPO),
    )
    with (tmp_path / "stderr.log").open("w") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write):
            async with ClientSession(read, write, elicitation_callback=_elicit) as session:
                await session.initialize()
                assert (await session.call_tool("test_simple_text", {})).content[0].text == (
                    "This is a simple text response for testing."
                )
                elicited = await session.call_tool("test_elicitation_sep1034_defaults", {})
                assert elicited.content[0].text.startswith("Elicitation completed: action=accept")
                image = await session.read_resource("test://static-binary")
                assert image.contents[0].mime_type == "image/png"
