"""The other direction: a server asks our client to run sampling as a task (2025-11-25)."""

from __future__ import annotations

from typing import Any

import pytest
from mcp_foundry.authoring import TaskStore
from mcp_foundry.sources import registry

from .support import connected

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
