"""The everything server's task tools on the 2025-11-25 wire (protocol tasks), on
Streamable HTTP and stdio, driven by the runtime client as a real process."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from mcp_foundry.runtime.client import Client, connect_stdio
from mcp_foundry.runtime.errors import RpcError
from mcp_foundry.runtime.http.client import connect_http
from mcp_foundry.sources import registry

from .harness import REPO, everything_server

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(90)]
TASKS_REVISION = registry.latest("legacy")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def confirm(params: Any) -> dict[str, Any]:
    return {"action": "accept", "content": {"confirm": True}}


@asynccontextmanager
async def everything(
    transport: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Client]:
    if transport == "stdio":
        monkeypatch.setenv("PYTHONPATH", str(REPO))
        command = [sys.executable, "-m", "examples.everything"]
        async with connect_stdio(command, connect=False) as client:
            client.on_request("elicitation/create", confirm)
            await client.connect(TASKS_REVISION)
            yield client
    else:
        with everything_server(tmp_path / "server.log") as url:
            async with connect_http(url, connect=False) as client:
                client.on_request("elicitation/create", confirm)
                await client.connect(TASKS_REVISION)
                yield client


@pytest.mark.parametrize("transport", ["stdio", "http"])
async def test_everything_serves_its_task_tools_as_protocol_tasks(
    transport: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with everything(transport, tmp_path, monkeypatch) as client:
        assert client.server_capabilities["tasks"]["requests"] == {"tools": {"call": {}}}
        tools = {t.name: t for t in await client.list_all("tools/list")}
        assert tools["slow_compute"].execution.task_support == "optional"
        assert tools["failing_job"].execution.task_support == "required"
        task = await client.tasks.call_tool("slow_compute", {"seconds": 0.1, "label": "x"})
        done = await client.tasks.wait(task.task_id)
        assert done.content[0].text == "Computed x after 0.1s"
        asked = await client.tasks.call_tool("confirm_delete", {"filename": "a.txt"})
        assert (await client.tasks.wait(asked.task_id)).content[0].text == "Deleted a.txt"
        failing = await client.tasks.call_tool("failing_job")
        assert (await client.tasks.wait(failing.task_id)).is_error is True
        assert (await client.tasks.get(failing.task_id)).status == "failed"
        with pytest.raises(RpcError) as refused:
            await client.call_tool("failing_job")
        assert refused.value.code == -32601
