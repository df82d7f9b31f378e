"""Interop with the real official SDK (PyPI ``mcp``) over stdio, both directions."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import anyio
import mcp.client.session as sdk_session
import mcp_types as sdk
import pytest
from mcp import Client as SdkClient
from mcp import StdioServerParameters
from mcp_foundry.runtime.client import connect_stdio
from rt_support import FIXTURE, LEGACY

pytestmark = [
    pytest.mark.timeout(120),
    pytest.mark.filterwarnings("ignore:The logging capability is deprecated"),
]

ROOT = Path(__file__).resolve().parents[2]
SDK_SERVER = [sys.executable, str(ROOT / "bench" / "sdk_echo_server.py"), "stdio"]


async def elicit(context: Any, params: Any) -> sdk.ElicitResult:
    content = {"color": "teal"} if "color" in params.message else {"name": "Sam"}
    return sdk.ElicitResult(action="accept", content=content)


async def sample(context: Any, params: Any) -> sdk.CreateMessageResult:
    return sdk.CreateMessageResult(
        role="assistant", content=sdk.TextContent(type="text", text="Paris"), model="m"
    )


def sdk_client(mode: str, logs: list[Any] | None = None) -> SdkClient:
    async def on_log(params: Any) -> None:
        if logs is not None:
            logs.append(params)

    return SdkClient(
        StdioServerParameters(command=FIXTURE[0], args=FIXTURE[1:]),
        mode=mode,  # type: ignore[arg-type]
        elicitation_callback=elicit,
        sampling_callback=sample,
        logging_callback=on_log,
        log_level="info" if mode != "legacy" else None,
        read_timeout_seconds=20,
    )


@pytest.mark.parametrize("version", LEGACY)
def test_sdk_client_drives_our_server_at_every_legacy_revision(
    version: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sdk_session, "LATEST_HANDSHAKE_VERSION", version)
    logs: list[Any] = []

    async def run() -> None:
        async with sdk_client("legacy", logs) as client:
            assert client.session.initialize_result.protocol_version == version
            tools = await client.list_tools()
            assert [t.name for t in tools.tools][:2] == ["echo", "slow"]
            echoed = await client.call_tool("echo", {"text": "hello"})
            assert echoed.content[0].text == "hello"
            rich = await client.call_tool("rich")
            assert len(rich.content) == 3
            said = await client.call_tool("sample")
            assert said.content[0].text == "Model said: Paris"
            if version >= "2025-06-18":
                hello = await client.call_tool("ask_name")
                assert hello.content[0].text == "Hello, Sam! (accept)"
            progress: list[float] = []

            async def on_progress(value: float, total: float | None, message: str | None) -> None:
                progress.append(value)

            await client.call_tool("progress", progress_callback=on_progress)
            assert progress == [0, 50, 100]
            await client.set_logging_level("info")
            await client.call_tool("log")
            await anyio.sleep(0.2)
            assert [entry.level for entry in logs] == ["info", "error"]

    anyio.run(run)


@pytest.mark.parametrize("mode", ["2026-07-28", "auto"])
def test_sdk_client_drives_our_server_modern(mode: str) -> None:
    logs: list[Any] = []

    async def run() -> None:
        async with sdk_client(mode, logs) as client:
            assert client.session.discover_result is not None or mode == "2026-07-28"
            tools = await client.list_tools()
            assert tools.tools[0].name == "echo" and tools.tools[0].title == "Echo"
            echoed = await client.call_tool("echo", {"text": "hi"})
            assert echoed.content[0].text == "hi" and echoed.structured_content == {"text": "hi"}
            hello = await client.call_tool(
                "ask_name"
            )  # InputRequiredResult round, answered by the SDK
            assert hello.content[0].text == "Hello, Sam! (accept)"
            two = await client.call_tool("two_questions")
            assert two.content[0].text == "Sam likes teal"
            said = await client.call_tool("sample")
            assert said.content[0].text == "Model said: Paris"
            await client.call_tool("log")
            await anyio.sleep(0.2)
            assert [entry.level for entry in logs] == ["info", "error"]

    anyio.run(run)


@pytest.mark.parametrize("version", [None, "2025-11-25", "2025-06-18", "2024-11-05", "2026-07-28"])
def test_our_client_drives_the_sdk_server(version: str | None) -> None:
    async def run() -> None:
        async with connect_stdio(SDK_SERVER, version=version) as client:
            assert client.revision == (version or "2026-07-28")
            tools = await client.list_tools()
            assert [t.name for t in tools.tools] == ["echo"]
            echoed = await client.call_tool("echo", {"text": "over there"})
            assert echoed.content[0].text == "over there"

    anyio.run(run)
