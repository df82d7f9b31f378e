"""2025-11-25 task input goes out once: with several ``tasks/result`` waiting for one task
(one server process, the in-memory store), the task's request travels on exactly one of
their streams; the others keep waiting and get the result. A request whose stream ends
unanswered is offered again to a waiter still there."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from mcp_foundry.sources import registry

from .support import connected
from .test_protocol_tasks import status_of

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]
TASKS_REVISION = registry.latest("legacy")
ACCEPTED = "accept: {'ok': True}"


@pytest.fixture(params=["stdio", "http"])
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def test_two_waiters_see_one_request(transport: str) -> None:
    asked: list[Any] = []

    async def elicit(params: Any) -> dict[str, Any]:
        asked.append(params)
        await anyio.sleep(0.5)  # both waiters are there before the answer
        return {"action": "accept", "content": {"ok": True}}

    async with connected(transport, TASKS_REVISION, {"elicitation/create": elicit}) as client:
        task = await client.tasks.call_tool("confirm")
        await status_of(client, task.task_id, "input_required")
        results: list[Any] = []

        async def wait() -> None:
            results.append(await client.tasks.result(task.task_id))

        async with anyio.create_task_group() as group:
            group.start_soon(wait)
            group.start_soon(wait)
        assert [r.content[0].text for r in results] == [ACCEPTED, ACCEPTED]
        assert len(asked) == 1, asked


async def test_a_request_whose_stream_ends_goes_to_the_other_waiter(transport: str) -> None:
    """The first waiter carries the request, then is cancelled before the client answers:
    the request goes out again, on the second waiter's stream, which gets the result."""
    asked: list[Any] = []
    first_asked = anyio.Event()

    async def elicit(params: Any) -> dict[str, Any]:
        asked.append(params)
        if len(asked) == 1:
            first_asked.set()
            await anyio.sleep_forever()  # the user never answers this one
        return {"action": "accept", "content": {"ok": True}}

    async with connected(transport, TASKS_REVISION, {"elicitation/create": elicit}) as client:
        task = await client.tasks.call_tool("confirm")
        await status_of(client, task.task_id, "input_required")
        results: list[Any] = []

        async def wait() -> None:
            results.append(await client.tasks.result(task.task_id))

        async with anyio.create_task_group() as group:
            first = anyio.CancelScope()
            group.start_soon(_cancellable, first, wait)
            with anyio.fail_after(10):
                await first_asked.wait()
            group.start_soon(wait)
            await anyio.sleep(0.5)
            assert len(asked) == 1, asked  # the second waiter does not repeat it
            first.cancel()
        assert [r.content[0].text for r in results] == [ACCEPTED]
        assert len(asked) == 2, asked
        assert asked[1].message == "Proceed?"


async def _cancellable(scope: anyio.CancelScope, work: Any) -> None:
    with scope:
        await work()
