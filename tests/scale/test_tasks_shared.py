"""Tasks in a shared store: a task started on one instance is read, awaited, listed,
answered and cancelled through the others, on both task wires; requestState sealed on
one instance opens on another; a task whose instance died ends ``failed``."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
from mcp_foundry.authoring import SharedTaskStore
from mcp_foundry.authoring.shared_tasks import RemoteTask
from modern_app import HAPPENED
from modern_cluster import (
    ELICIT,
    LEASE_S,
    TASKS,
    LocalCluster,
    legacy,
    local_cluster,
    request,
    result,
    send,
    session,
)

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]
TERMINAL = ("completed", "failed", "cancelled")


@pytest.fixture(scope="module")
def cluster(local_trio: LocalCluster) -> LocalCluster:
    return local_trio


async def start(http: httpx.AsyncClient, url: str, tool: str, **arguments: Any) -> str:
    """Call ``tool`` as a task (the extension) on ``url``; its task id."""
    created = await result(http, url, "tools/call", {"name": tool, "arguments": arguments}, TASKS)
    assert created["resultType"] == "task", created
    task_id: str = created["taskId"]
    return task_id


async def get(http: httpx.AsyncClient, url: str, task_id: str) -> dict[str, Any]:
    return await result(http, url, "tasks/get", {"taskId": task_id}, TASKS)


async def poll(
    http: httpx.AsyncClient,
    url: str,
    task_id: str,
    until: tuple[str, ...] = TERMINAL,
    deadline_s: float = 10,
) -> dict[str, Any]:
    deadline = time.monotonic() + deadline_s
    while True:
        found = await get(http, url, task_id)
        if found["status"] in until:
            return found
        assert time.monotonic() < deadline, found
        await asyncio.sleep(0.05)


def deafen_first(cluster: LocalCluster) -> None:
    """The first instance stops hearing the tasks channel (its listener only): what it
    learns from the others now waits for its lease round."""
    backend = cluster.apps[0].task_store
    assert isinstance(backend, SharedTaskStore)

    async def deafen() -> None:
        backend._background[0].cancel()

    cluster.run(deafen())


def happened(cluster: LocalCluster, index: int) -> list[str]:
    async def read() -> list[str]:
        return list(HAPPENED[id(cluster.apps[index])])

    return cluster.run(read())


async def test_a_task_started_on_one_instance_is_read_on_the_others(cluster: LocalCluster) -> None:
    a, b, c = cluster.urls
    async with httpx.AsyncClient(timeout=10) as http:
        task_id = await start(http, a, "slow", seconds=0.5)
        seen = await get(http, b, task_id)
        assert seen["status"] == "working"
        assert seen["taskId"] == task_id
        done = await poll(http, c, task_id)
        assert done["status"] == "completed"
        assert done["result"]["content"][0]["text"] == "slept 0.5"
        unknown = await send(http, b, request("tasks/get", {"taskId": "nope"}, TASKS))
        assert unknown["error"]["code"] == -32602


async def test_cancel_through_another_instance_stops_the_work(cluster: LocalCluster) -> None:
    a, b, c = cluster.urls
    async with httpx.AsyncClient(timeout=10) as http:
        task_id = await start(http, a, "hold", key="ext-cancel")
        assert "ext-cancel:started" in happened(cluster, 0)
        await result(http, b, "tasks/cancel", {"taskId": task_id}, TASKS)
        assert (await get(http, c, task_id))["status"] == "cancelled"
        deadline = time.monotonic() + 5
        while "ext-cancel:cancelled" not in happened(cluster, 0):
            assert time.monotonic() < deadline, "the runner on A was not cancelled"
            await asyncio.sleep(0.02)
        assert (await get(http, a, task_id))["status"] == "cancelled"


async def test_input_answered_on_another_instance_reaches_the_waiting_task(
    cluster: LocalCluster,
) -> None:
    a, b, c = cluster.urls
    caps = {**TASKS, **ELICIT}
    async with httpx.AsyncClient(timeout=10) as http:
        created = await result(http, a, "tools/call", {"name": "confirm", "arguments": {}}, caps)
        task_id = created["taskId"]
        parked = await poll(http, b, task_id, ("input_required", *TERMINAL))
        assert parked["status"] == "input_required"
        assert parked["inputRequests"]["go"]["method"] == "elicitation/create"
        answer = {"go": {"action": "accept", "content": {"ok": True}}}
        await result(http, c, "tasks/update", {"taskId": task_id, "inputResponses": answer}, TASKS)
        done = await poll(http, b, task_id)
        assert done["status"] == "completed", done
        assert done["result"]["content"][0]["text"] == "accept: {'ok': True}"


async def test_a_partial_answer_on_one_instance_is_read_at_once_on_another(
    cluster: LocalCluster,
) -> None:
    """Answering one of two input requests through C returns once the owner (A) took it,
    however slow A is to hear of it: the client's next read, on any instance, no longer
    lists it (the conformance scenario tasks-mrtr-partial-fulfillment behind a balancer)."""
    a, b, c = cluster.urls
    caps = {**TASKS, **ELICIT}
    async with httpx.AsyncClient(timeout=10) as http:
        created = await result(http, a, "tools/call", {"name": "pair", "arguments": {}}, caps)
        task_id = created["taskId"]
        parked = await poll(http, b, task_id, ("input_required", *TERMINAL))
        assert set(parked["inputRequests"]) == {"name", "age"}
        deafen_first(cluster)  # A hears no channel: slow to take answers, as under load
        name = {"name": {"action": "accept", "content": {"v": "Ada"}}}
        await result(http, c, "tasks/update", {"taskId": task_id, "inputResponses": name}, TASKS)
        seen = await get(http, b, task_id)
        assert set(seen.get("inputRequests") or {}) == {"age"}, seen
        age = {"age": {"action": "accept", "content": {"v": "36"}}}
        await result(http, b, "tasks/update", {"taskId": task_id, "inputResponses": age}, TASKS)
        done = await poll(http, c, task_id)
        assert done["status"] == "completed", done
        assert done["result"]["content"][0]["text"] == "Ada, 36"


async def test_request_state_sealed_on_one_instance_opens_on_the_others(
    cluster: LocalCluster,
) -> None:
    a, b, c = cluster.urls
    call = {"name": "two_rounds", "arguments": {}}
    async with httpx.AsyncClient(timeout=10) as http:
        first = await result(http, a, "tools/call", call, ELICIT)
        assert first["resultType"] == "input_required"
        answer = {"action": "accept", "content": {"v": "one"}}
        retry = {**call, "requestState": first["requestState"], "inputResponses": {"first": answer}}
        second = await result(http, b, "tools/call", retry, ELICIT)
        assert second["resultType"] == "input_required"
        assert "second" in second["inputRequests"]
        answer = {"action": "accept", "content": {"v": "two"}}
        last = {
            **call,
            "requestState": second["requestState"],
            "inputResponses": {"second": answer},
        }
        done = await result(http, c, "tools/call", last, ELICIT)
        assert done["content"][0]["text"] == "one+two"


async def test_protocol_tasks_of_a_session_read_a_task_from_another_instance(
    cluster: LocalCluster,
) -> None:
    """2025-11-25 ``tasks/get``, ``tasks/list``, ``tasks/result`` and ``tasks/cancel`` on a
    session on B, for tasks started on A (through the extension: owned by nobody)."""
    a, b, _ = cluster.urls
    async with httpx.AsyncClient(timeout=10) as http:
        on_b = await session(http, b)
        task_id = await start(http, a, "slow", seconds=0.5)
        got = await legacy(http, b, on_b, "tasks/get", {"taskId": task_id})
        assert got["result"]["status"] == "working"
        listed = await legacy(http, b, on_b, "tasks/list")
        assert task_id in [t["taskId"] for t in listed["result"]["tasks"]]
        began = time.monotonic()
        answered = await legacy(http, b, on_b, "tasks/result", {"taskId": task_id})
        assert time.monotonic() - began > 0.2  # it waited for the work on A
        assert answered["result"]["content"][0]["text"] == "slept 0.5"
        related = answered["result"]["_meta"]["io.modelcontextprotocol/related-task"]
        assert related == {"taskId": task_id}

        held = await start(http, a, "hold", key="legacy-cancel")
        cancelled = await legacy(http, b, on_b, "tasks/cancel", {"taskId": held})
        assert cancelled["result"]["status"] == "cancelled"
        deadline = time.monotonic() + 5
        while "legacy-cancel:cancelled" not in happened(cluster, 0):
            assert time.monotonic() < deadline, "the runner on A was not cancelled"
            await asyncio.sleep(0.02)
        again = await legacy(http, b, on_b, "tasks/cancel", {"taskId": held})
        assert again["error"]["code"] == -32602


async def test_protocol_task_results_wait_across_instances(cluster: LocalCluster) -> None:
    """``tasks/result`` on B answered when A's task ends: cancelled from C meanwhile."""
    a, b, c = cluster.urls
    async with httpx.AsyncClient(timeout=10) as http:
        on_b = await session(http, b)
        held = await start(http, a, "hold", key="wait-cancel")
        waiting = asyncio.create_task(legacy(http, b, on_b, "tasks/result", {"taskId": held}))
        await asyncio.sleep(0.3)
        assert not waiting.done()
        await result(http, c, "tasks/cancel", {"taskId": held}, TASKS)
        answered = await asyncio.wait_for(waiting, 5)
        assert "error" in answered, answered


async def test_a_task_whose_instance_died_ends_failed(cluster: LocalCluster) -> None:
    a, b, c = cluster.urls
    async with httpx.AsyncClient(timeout=10) as http:
        task_id = await start(http, a, "hold", key="orphan")
        backend = cluster.apps[0].task_store
        assert isinstance(backend, SharedTaskStore)

        async def vanish() -> None:
            """A's process is gone: its lease stops being renewed, its work stops."""
            for job in backend._background:
                job.cancel()
            task = backend._local.pop(task_id)
            assert task.runner is not None
            task.runner.cancel()

        cluster.run(vanish())
        assert (await get(http, b, task_id))["status"] == "working"
        failed = await poll(http, b, task_id, deadline_s=LEASE_S + 5)  # the lease lapses
        assert failed["status"] == "failed"
        assert failed["error"]["code"] == -32603
        assert (await get(http, c, task_id))["status"] == "failed"


async def test_task_records_expire_with_their_ttl(cluster: LocalCluster) -> None:
    """A 2025-11-25 task with ``ttl`` 1500 ms is gone from the store after it."""
    a, _, _ = cluster.urls
    async with httpx.AsyncClient(timeout=10) as http:
        on_a = await session(http, a)
        call = {"name": "slow", "arguments": {"seconds": 0}, "task": {"ttl": 1500}}
        created = await legacy(http, a, on_a, "tools/call", call)
        task_id = created["result"]["task"]["taskId"]
        assert created["result"]["task"]["ttl"] == 1500
        done = await legacy(http, a, on_a, "tasks/result", {"taskId": task_id})
        assert "result" in done, done
        assert done["result"]["content"][0]["text"] == "slept 0.0"
        await asyncio.sleep(1.7)
        gone = await legacy(http, a, on_a, "tasks/get", {"taskId": task_id})
        assert gone["error"]["code"] == -32602
        listed = await legacy(http, a, on_a, "tasks/list")
        assert task_id not in [t["taskId"] for t in listed["result"]["tasks"]]


def test_an_app_on_a_shared_store_keeps_its_tasks_there() -> None:
    """No task backend given: a server with a shared store picks the shared one."""
    with local_cluster(2, lease_s=None) as pair:
        assert all(isinstance(app.task_store, SharedTaskStore) for app in pair.apps)

        async def across() -> None:
            async with httpx.AsyncClient(timeout=10) as http:
                task_id = await start(http, pair.urls[0], "slow", seconds=0.2)
                done = await poll(http, pair.urls[1], task_id)
                assert done["status"] == "completed"

        asyncio.run(across())


async def test_a_remote_task_cancelled_without_waiting_is_cancelled_everywhere(
    cluster: LocalCluster,
) -> None:
    """``task.cancel()`` (sync, as code that cannot await calls it) on another instance's
    task: claimed in the background, the runner on A stops."""
    a, b, c = cluster.urls
    async with httpx.AsyncClient(timeout=10) as http:
        task_id = await start(http, a, "hold", key="sync-cancel")
        backend = cluster.apps[1].task_store

        async def cancel_on_b() -> str:
            task = await backend.get(task_id)
            assert isinstance(task, RemoteTask)
            task.cancel()
            return task.status

        assert cluster.run(cancel_on_b()) == "cancelled"
        assert (await poll(http, c, task_id))["status"] == "cancelled"
        deadline = time.monotonic() + 5
        while "sync-cancel:cancelled" not in happened(cluster, 0):
            assert time.monotonic() < deadline, "the runner on A was not cancelled"
            await asyncio.sleep(0.02)


async def test_the_owner_catches_up_without_the_channel(cluster: LocalCluster) -> None:
    """A's channel subscription is gone (messages lost): a cancellation and an answer
    from other instances still reach A's tasks within its lease round."""
    a, b, c = cluster.urls
    async with httpx.AsyncClient(timeout=10) as http:
        held = await start(http, a, "hold", key="deaf-cancel")
        created = await result(
            http, a, "tools/call", {"name": "confirm", "arguments": {}}, {**TASKS, **ELICIT}
        )
        asking = created["taskId"]
        await poll(http, b, asking, ("input_required",))
        deafen_first(cluster)
        await result(http, b, "tasks/cancel", {"taskId": held}, TASKS)
        answer = {"go": {"action": "accept", "content": {"ok": False}}}
        await result(http, c, "tasks/update", {"taskId": asking, "inputResponses": answer}, TASKS)
        done = await poll(http, b, asking)
        assert done["result"]["content"][0]["text"] == "accept: {'ok': False}"
        deadline = time.monotonic() + 5
        while "deaf-cancel:cancelled" not in happened(cluster, 0):
            assert time.monotonic() < deadline, "the runner on A was not cancelled"
            await asyncio.sleep(0.02)
