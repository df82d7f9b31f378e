"""The other direction: a server asks our client to run sampling as a task (2025-11-25);
the receiver's rules (paging, status notifications, tasks bound to their requestor) are
checked from the requestor's side, by requestor_server.py's tools."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest
from mcp_foundry.authoring import TaskStore
from mcp_foundry.runtime.errors import RpcError
from mcp_foundry.sources import registry

from .support import REQUESTOR, clients, connected

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]
TASKS_REVISION = registry.latest("legacy")
RELATED = "io.modelcontextprotocol/related-task"


@pytest.fixture(params=["stdio", "http"])
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def sampler(seen: list[Any]) -> Any:
    async def sample(params: Any) -> dict[str, Any]:
        seen.append(params)
        return {"role": "assistant", "content": {"type": "text", "text": "a summary"}, "model": "m"}

    return sample


async def test_client_runs_the_servers_sampling_as_a_task(transport: str) -> None:
    seen: list[Any] = []
    store = TaskStore(ttl_ms=60_000, poll_interval_ms=50)
    async with connected(
        transport, TASKS_REVISION, {"sampling/createMessage": sampler(seen)}, store
    ) as client:
        result = await client.call_tool("summarize")
        assert result.content[0].text == "a summary"
        assert len(seen) == 1  # the handler runs once, as the task's work
        (task,) = await store.list()
        assert task.status == "completed" and task.ttl_ms == 30_000
        assert task.result["content"]["text"] == "a summary"


async def test_without_the_capability_sampling_is_a_plain_request(transport: str) -> None:
    seen: list[Any] = []
    async with connected(
        transport, TASKS_REVISION, {"sampling/createMessage": sampler(seen)}
    ) as client:
        assert (await client.call_tool("summarize")).content[0].text == "a summary"
        assert len(seen) == 1 and client.task_receiver is None


async def test_the_declared_client_capability() -> None:
    store = TaskStore()
    async with connected(
        "stdio", TASKS_REVISION, {"sampling/createMessage": sampler([])}, store
    ) as client:
        assert client.task_receiver is not None
        assert client.task_receiver.capability() == {
            "list": {},
            "cancel": {},
            "requests": {"sampling": {"createMessage": {}}},
        }


async def test_a_running_task_asks_the_client_to_run_sampling_as_a_task(transport: str) -> None:
    seen: list[Any] = []
    store = TaskStore(ttl_ms=60_000, poll_interval_ms=50)
    async with connected(
        transport, TASKS_REVISION, {"sampling/createMessage": sampler(seen)}, store
    ) as client:
        task = await client.tasks.call_tool("summarize_later")
        assert (await client.tasks.wait(task.task_id)).content[0].text == "a summary"
        assert len(seen) == 1  # asked once, as a task of the client's
        assert seen[0].meta.model_dump(by_alias=True)[RELATED] == {"taskId": task.task_id}
        (ran,) = await store.list()
        assert ran.status == "completed" and ran.ttl_ms == 30_000
        for _ in range(250):
            statuses = [
                p["status"]
                for m, p in client.notifications
                if m == "notifications/tasks/status" and p and p["taskId"] == task.task_id
            ]
            if len(statuses) >= 3:
                break
            await anyio.sleep(0.02)
        assert statuses == ["input_required", "working", "completed"]


async def requestor_says(client: Any, tool: str, **arguments: Any) -> Any:
    """What a requestor_server tool reports (JSON in its text)."""
    result = await client.call_tool(tool, arguments)
    return json.loads(result.content[0].text)


def receiving(transport: str, count: int = 1, **options: Any) -> Any:
    """``count`` clients of the requestor server running its sampling as tasks in one
    shared store."""
    store = TaskStore(ttl_ms=60_000, poll_interval_ms=50)
    handlers = {"sampling/createMessage": sampler([])}
    return clients(transport, TASKS_REVISION, count, handlers, store, REQUESTOR, **options)


async def test_the_receivers_task_list_pages(transport: str) -> None:
    async with receiving(transport, page_size=2) as (client,):
        ids = await requestor_says(client, "delegate", count=5)
        listed = await requestor_says(client, "pages")
        assert listed == {"sizes": [2, 2, 1], "ids": ids}
        assert await requestor_says(client, "pages", cursor="not-a-cursor") == {"error": -32602}


async def test_the_receiver_announces_status_changes(transport: str) -> None:
    async with receiving(transport) as (client,):
        (task_id,) = await requestor_says(client, "delegate", count=1)
        result = await requestor_says(client, "result", taskId=task_id)
        assert result["content"]["text"] == "a summary"
        assert result["_meta"][RELATED] == {"taskId": task_id}
        for _ in range(250):
            notes = await requestor_says(client, "statuses")
            if notes:
                break
            await anyio.sleep(0.02)
        assert [(n["taskId"], n["status"]) for n in notes] == [(task_id, "completed")]
        assert RELATED not in (notes[0].get("_meta") or {})


async def test_the_receivers_tasks_belong_to_their_requestor(transport: str) -> None:
    async with receiving(transport, 2) as (mine, other):
        (task_id,) = await requestor_says(mine, "delegate", count=1)
        refused = {"tasks/get": -32602, "tasks/result": -32602, "tasks/cancel": -32602}
        assert await requestor_says(other, "peek", taskId=task_id) == refused
        assert (await requestor_says(other, "pages"))["ids"] == []
        seen = await requestor_says(mine, "peek", taskId=task_id)
        assert seen["tasks/get"]["taskId"] == task_id
        assert seen["tasks/result"]["content"]["text"] == "a summary"
        assert seen["tasks/cancel"] == -32602  # it has ended: too late to cancel
        assert (await requestor_says(mine, "pages"))["ids"] == [task_id]


async def test_cancelling_the_task_cancels_the_clients_task_it_waits_for(transport: str) -> None:
    stopped = anyio.Event()

    async def never_done(params: Any) -> dict[str, Any]:
        try:
            await anyio.sleep(60)
        finally:
            stopped.set()
        raise AssertionError("the sampling task was not cancelled")

    store = TaskStore(ttl_ms=60_000, poll_interval_ms=50)
    handlers = {"sampling/createMessage": never_done}
    async with connected(transport, TASKS_REVISION, handlers, store) as client:
        task = await client.tasks.call_tool("summarize_later")
        async with anyio.create_task_group() as group:

            async def read() -> None:
                with pytest.raises(RpcError):
                    await client.tasks.result(task.task_id)  # it gets the sampling request

            group.start_soon(read)
            with anyio.fail_after(10):
                while not await store.list():
                    await anyio.sleep(0.02)
            await client.tasks.cancel(task.task_id)
        with anyio.fail_after(10):
            await stopped.wait()
        (sampling,) = await store.list()
        assert sampling.status == "cancelled"
