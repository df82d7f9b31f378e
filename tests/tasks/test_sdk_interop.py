"""Protocol tasks with the official SDK (PyPI ``mcp``) as the peer.

The SDK (2.x) models the 2025-11-25 task messages and validates every result against its
schema, but neither its client nor its server runs tasks itself: as a client it drives
ours through raw typed requests; as a server it declares no ``tasks`` capability, so our
client refuses to augment calls to it and a task-augmented call is served normally.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import mcp.client.session as sdk_session
import mcp_types as sdk
import pytest
from mcp import Client as SdkClient
from mcp import StdioServerParameters
from mcp.shared.exceptions import MCPError
from mcp_foundry.runtime.client import NotAdvertised, connect_stdio
from mcp_foundry.sources import registry

from .support import APP, http_server

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.timeout(90),
    pytest.mark.filterwarnings("ignore:The logging capability is deprecated"),
]
TASKS_REVISION = registry.latest("legacy")
RELATED = "io.modelcontextprotocol/related-task"
SDK_SERVER = [
    sys.executable,
    str(Path(__file__).resolve().parents[2] / "bench" / "sdk_echo_server.py"),
    "stdio",
]


@asynccontextmanager
async def sdk_client(transport: str, **options: Any) -> AsyncIterator[Any]:
    if transport == "stdio":
        params = StdioServerParameters(command=APP[0], args=APP[1:])
        async with SdkClient(params, mode="legacy", read_timeout_seconds=20, **options) as client:
            yield client
    else:
        with http_server() as url:
            async with SdkClient(url, mode="legacy", read_timeout_seconds=20, **options) as client:
                yield client


@pytest.fixture(params=["stdio", "http"])
def transport(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(sdk_session, "LATEST_HANDSHAKE_VERSION", TASKS_REVISION)
    return str(request.param)


async def call_as_task(session: Any, name: str, arguments: dict[str, Any], ttl: int) -> Any:
    """A task-augmented ``tools/call``, built and read with the SDK's own models. Sent
    below ``send_request``: the SDK validates every ``tools/call`` answer as a
    ``CallToolResult`` (it does not run tasks), so a ``CreateTaskResult`` would fail there."""
    params = sdk.CallToolRequestParams(
        name=name, arguments=arguments, task=sdk.TaskMetadata(ttl=ttl)
    )
    request = sdk.CallToolRequest(method="tools/call", params=params)
    data = request.model_dump(by_alias=True, mode="json", exclude_none=True)
    raw = await session._dispatcher.send_raw_request("tools/call", data["params"], {})
    return sdk.CreateTaskResult.model_validate(raw)


async def test_sdk_client_runs_a_task_on_our_server(transport: str) -> None:
    async with sdk_client(transport) as client:
        session = client.session
        caps = session.initialize_result.capabilities
        assert caps.tasks is not None and caps.tasks.requests.tools.call is not None
        tools = await client.list_tools()
        assert {t.name: t.execution.task_support for t in tools.tools if t.execution}[
            "slow"
        ] == "optional"
        created = await call_as_task(session, "slow", {"seconds": 0.2}, 5_000)
        task_id = created.task.task_id
        assert created.task.status == "working" and created.task.ttl == 5_000
        got = await session.send_request(
            sdk.GetTaskRequest(
                method="tasks/get", params=sdk.GetTaskRequestParams(task_id=task_id)
            ),
            sdk.GetTaskResult,
        )
        assert got.task_id == task_id
        payload = await session.send_request(
            sdk.GetTaskPayloadRequest(
                method="tasks/result", params=sdk.GetTaskPayloadRequestParams(task_id=task_id)
            ),
            sdk.CallToolResult,
        )
        assert payload.content[0].text == "slept 0.2"
        assert payload.meta is not None and payload.meta[RELATED] == {"taskId": task_id}
        listed = await session.send_request(
            sdk.ListTasksRequest(method="tasks/list"), sdk.ListTasksResult
        )
        assert [t.task_id for t in listed.tasks] == [task_id]
        running = await call_as_task(session, "slow", {"seconds": 60}, 5_000)
        cancel = sdk.CancelTaskRequest(
            method="tasks/cancel", params=sdk.CancelTaskRequestParams(task_id=running.task.task_id)
        )
        cancelled = await session.send_request(cancel, sdk.CancelTaskResult)
        assert cancelled.status == "cancelled"
        with pytest.raises(MCPError) as again:
            await session.send_request(cancel, sdk.CancelTaskResult)
        assert again.value.error.code == -32602


async def test_our_client_and_the_sdk_server_without_tasks() -> None:
    async with connect_stdio(SDK_SERVER, version=TASKS_REVISION) as client:
        assert "tasks" not in client.server_capabilities
        with pytest.raises(NotAdvertised):
            await client.tasks.call_tool("echo", {"text": "x"})
        augmented = {"name": "echo", "arguments": {"text": "plain"}, "task": {"ttl": 1000}}
        result = await client.peer.request("tools/call", augmented)
        assert result["content"][0]["text"] == "plain" and "task" not in result
        await anyio.sleep(0)


async def test_sdk_client_gets_the_logs_of_a_detached_task(transport: str) -> None:
    logs: list[Any] = []

    async def on_log(params: Any) -> None:
        logs.append(params)

    async with sdk_client(transport, logging_callback=on_log) as client:
        session = client.session
        created = await call_as_task(session, "chatty", {}, 5_000)
        task_id = created.task.task_id
        result = sdk.GetTaskPayloadRequest(
            method="tasks/result", params=sdk.GetTaskPayloadRequestParams(task_id=task_id)
        )
        payload = await session.send_request(result, sdk.CallToolResult)
        assert payload.content[0].text == "chatted"
        with anyio.fail_after(10):
            while len(logs) < 2:
                await anyio.sleep(0.02)
        assert [(p.level, p.data) for p in logs] == [
            ("info", "chatty: working"),
            ("debug", {"step": 2}),
        ]
        assert all(p.meta[RELATED] == {"taskId": task_id} for p in logs)
