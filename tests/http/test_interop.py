"""Interop with the real official SDK (``mcp`` on PyPI), both directions, every revision."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
import pytest
from http_support import Live
from mcp import Client as SdkClient
from mcp.client.sse import sse_client
from mcp_foundry.runtime.errors import RpcError
from mcp_foundry.runtime.http.client import connect_http
from mcp_foundry.runtime.http.client_sse import connect_sse
from mcp_foundry.runtime.http.fallback import connect

pytestmark = pytest.mark.timeout(60)


async def _sdk_sampling(_context: Any, _params: Any) -> types.CreateMessageResult:
    return types.CreateMessageResult(
        role="assistant",
        content=types.TextContent(type="text", text="sdk-model"),
        model="m",
    )


@pytest.mark.parametrize("mode", ["legacy", "auto", "2026-07-28"])
def test_sdk_client_drives_our_server(live: Live, mode: str) -> None:
    async def run() -> None:
        async with SdkClient(live.url, mode=mode, sampling_callback=_sdk_sampling) as client:
            names = [t.name for t in (await client.list_tools()).tools]
            assert names[:2] == ["echo", "chatty"]
            assert (await client.call_tool("echo", {"text": "from sdk"})).content[
                0
            ].text == "from sdk"
            mirrored = await client.call_tool("region", {"where": "Hello, 世界"})
            assert mirrored.content[0].text == "region=Hello, 世界"
            chatty = await client.call_tool("chatty", {})
            assert chatty.content[0].text == "chatty done"
            if mode == "legacy":
                asked = await client.call_tool("ask_model", {"prompt": "hi"})
                assert asked.content[0].text == "model said: sdk-model"
                resumed = await client.call_tool("reconnect", {})
                assert resumed.content[0].text == "resumed answer"

    anyio.run(run)


def test_sdk_client_on_the_deprecated_sse_transport(live: Live) -> None:
    async def run() -> None:
        async with SdkClient(
            sse_client(live.base + "/sse"),
            mode="legacy",
            sampling_callback=_sdk_sampling,
        ) as client:
            assert (await client.call_tool("echo", {"text": "old wire"})).content[
                0
            ].text == "old wire"
            asked = await client.call_tool("ask_model", {"prompt": "hi"})
            assert asked.content[0].text == "model said: sdk-model"

    anyio.run(run)


@contextmanager
def sdk_peer(*mode: str) -> Iterator[int]:
    """The SDK's server as its own process on a free port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    script = Path(__file__).with_name("http_sdk_peer.py")
    proc = subprocess.Popen(
        [sys.executable, str(script), str(port), *mode], stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, (
                    "SDK server did not start"
                )
                time.sleep(0.05)
        yield port
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="module")
def sdk_server() -> Iterator[str]:
    with sdk_peer() as port:
        yield f"http://127.0.0.1:{port}/mcp"


@pytest.mark.parametrize("version", [None, "2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26"])
def test_our_client_drives_the_sdk_server(sdk_server: str, version: str | None) -> None:
    async def run() -> None:
        async with connect_http(sdk_server, version=version) as client:
            assert client.revision == (version or "2026-07-28")
            assert [t.name for t in (await client.list_tools()).tools] == [
                "echo",
                "progress_tool",
            ]
            assert (await client.call_tool("echo", {"text": "ours"})).content[0].text == "ours"
            progress: list[Any] = []
            done = await client.call(
                "tools/call",
                {"name": "progress_tool", "arguments": {}},
                on_progress=progress.append,
            )
            assert done.content[0].text == "done"
            assert [p["progress"] for p in progress] == [0, 1, 2]

    anyio.run(run)


@pytest.mark.parametrize("version", [None, "2025-11-25"])
def test_our_client_drives_our_server(live: Live, version: str | None) -> None:
    async def run() -> None:
        async with connect_http(live.url, version=version, connect=False) as client:

            async def sample(_params: Any) -> dict[str, Any]:
                return {
                    "role": "assistant",
                    "content": {"type": "text", "text": "ours"},
                    "model": "m",
                }

            client.on_request("sampling/createMessage", sample)
            await client.connect(version)
            assert (await client.call_tool("region", {"where": " padded "})).content[
                0
            ].text == "region= padded "
            assert (await client.call_tool("ask_model", {"prompt": "q"})).content[
                0
            ].text == "model said: ours"
            if version is not None:
                assert (await client.call_tool("reconnect")).content[0].text == "resumed answer"

    anyio.run(run)


def test_our_client_on_the_deprecated_sse_transport(live: Live) -> None:
    async def run() -> None:
        async with connect_sse(live.base + "/sse") as client:
            assert client.revision == "2024-11-05"
            assert (await client.call_tool("echo", {"text": "old"})).content[0].text == "old"
        with sdk_peer("sse") as port:
            async with connect_sse(f"http://127.0.0.1:{port}/sse") as client:
                assert (await client.call_tool("echo", {"text": "sdk"})).content[0].text == "sdk"

    anyio.run(run)


def test_one_url_finds_either_transport(live: Live, sdk_server: str) -> None:
    """``connect(url)``: Streamable HTTP where the server has it, else HTTP+SSE."""

    async def run() -> None:
        async with connect(sdk_server) as client:  # a Streamable HTTP server: no fallback
            assert client.revision == "2026-07-28"
        async with connect(live.base + "/sse") as client:  # POST there is 405
            assert client.revision == "2024-11-05"
            answer = await client.call_tool("echo", {"text": "fell back"})
            assert answer.content[0].text == "fell back"
        with sdk_peer("sse") as port:
            async with connect(f"http://127.0.0.1:{port}/sse") as client:
                answer = await client.call_tool("echo", {"text": "sdk, old"})
                assert answer.content[0].text == "sdk, old"

    anyio.run(run)


def test_a_4xx_that_is_no_old_server_keeps_its_own_error(live: Live) -> None:
    async def run() -> None:
        with pytest.raises(RpcError) as caught:
            async with connect(live.base + "/nowhere"):
                pass
        assert caught.value.data == {"httpStatus": 404}
        assert "HTTP+SSE fallback failed too" in " ".join(caught.value.__notes__)

    anyio.run(run)
