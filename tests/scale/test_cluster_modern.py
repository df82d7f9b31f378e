"""The modern wire behind a real haproxy (round robin, no stickiness) in front of real
server processes sharing a real Redis: listen streams, tasks and input rounds work
whichever instance each request lands on; a task whose instance is killed ends failed."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
from local_services import Cluster
from modern_cluster import (
    ELICIT,
    PROCESS_APP,
    PROCESS_LEASE_S,
    TASKS,
    exchange,
    open_listener,
    request,
)

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]
TERMINAL = ("completed", "failed", "cancelled")
APP = PROCESS_APP


@pytest.fixture
def modern(make_cluster: Any) -> Cluster:
    """Three instances of the scale tests' app (task lease: PROCESS_LEASE_S) behind haproxy."""
    made: Cluster = make_cluster(3, app=APP)
    return made


async def call(
    http: httpx.AsyncClient, url: str, method: str, params: dict[str, Any], caps: Any = None
) -> tuple[dict[str, Any], str | None]:
    answer, served_by = await exchange(http, url, request(method, params, caps))
    assert "result" in answer, answer
    found: dict[str, Any] = answer["result"]
    return found, served_by


async def poll(
    http: httpx.AsyncClient, url: str, task_id: str, until: tuple[str, ...] = TERMINAL
) -> tuple[dict[str, Any], set[str | None]]:
    """Poll ``tasks/get`` until a status in ``until``; also which instances answered."""
    seen: set[str | None] = set()
    deadline = time.monotonic() + 15
    while True:
        found, served_by = await call(http, url, "tasks/get", {"taskId": task_id}, TASKS)
        seen.add(served_by)
        if found["status"] in until:
            return found, seen
        assert time.monotonic() < deadline, found
        await asyncio.sleep(0.05)


async def test_a_task_created_and_read_through_the_balancer(cluster: Cluster) -> None:
    """examples.everything as deployed: its task store goes to Redis."""
    async with httpx.AsyncClient(timeout=20) as http:
        created, owner = await call(
            http,
            cluster.url,
            "tools/call",
            {"name": "slow_compute", "arguments": {"seconds": 1, "label": "x"}},
            TASKS,
        )
        assert created["resultType"] == "task", created
        done, readers = await poll(http, cluster.url, created["taskId"])
        assert done["status"] == "completed", (done, cluster.logs())
        assert done["result"]["content"][0]["text"] == "Computed x after 1s"
        assert len(readers) == 3, readers  # every instance answered for the task
        assert owner in readers


async def test_cancel_and_input_through_the_balancer(modern: Cluster) -> None:
    url = modern.url
    async with httpx.AsyncClient(timeout=20) as http:
        held, _ = await call(
            http, url, "tools/call", {"name": "hold", "arguments": {"key": "k"}}, TASKS
        )
        _, canceller = await call(http, url, "tasks/cancel", {"taskId": held["taskId"]}, TASKS)
        cancelled, _ = await poll(http, url, held["taskId"])
        assert cancelled["status"] == "cancelled"

        created, owner = await call(
            http, url, "tools/call", {"name": "confirm", "arguments": {}}, {**TASKS, **ELICIT}
        )
        parked, _ = await poll(http, url, created["taskId"], ("input_required", *TERMINAL))
        assert parked["status"] == "input_required", parked
        answer = {"go": {"action": "accept", "content": {"ok": True}}}
        update = {"taskId": created["taskId"], "inputResponses": answer}
        _, answerer = await call(http, url, "tasks/update", update, TASKS)
        assert answerer != owner  # round robin: the answer landed elsewhere
        done, _ = await poll(http, url, created["taskId"])
        assert done["status"] == "completed", (done, modern.logs())
        assert done["result"]["content"][0]["text"] == "accept: {'ok': True}"


async def test_input_rounds_through_the_balancer(modern: Cluster) -> None:
    url = modern.url
    tool = {"name": "two_rounds", "arguments": {}}
    async with httpx.AsyncClient(timeout=20) as http:
        first, at_first = await call(http, url, "tools/call", tool, ELICIT)
        assert first["resultType"] == "input_required"
        one = {"first": {"action": "accept", "content": {"v": "one"}}}
        retry = {**tool, "requestState": first["requestState"], "inputResponses": one}
        second, at_second = await call(http, url, "tools/call", retry, ELICIT)
        assert second["resultType"] == "input_required", second
        two = {"second": {"action": "accept", "content": {"v": "two"}}}
        last = {**tool, "requestState": second["requestState"], "inputResponses": two}
        done, at_last = await call(http, url, "tools/call", last, ELICIT)
        assert done["content"][0]["text"] == "one+two"
        assert len({at_first, at_second, at_last}) == 3


async def test_listen_streams_behind_the_balancer_hear_each_change_once(
    modern: Cluster,
) -> None:
    url = modern.url
    async with httpx.AsyncClient(timeout=20) as http:
        listeners = [await open_listener(http, url, {"toolsListChanged": True}) for _ in range(3)]
        assert len({listener.served_by for listener in listeners}) == 3
        await call(http, url, "tools/call", {"name": "change_tools", "arguments": {}})
        for listener in listeners:
            note = await listener.next()
            assert note["method"] == "notifications/tools/list_changed"
        for listener in listeners:
            assert await listener.quiet_for(0.2) == []
            assert listener.task is not None
            listener.task.cancel()


async def test_a_task_of_a_killed_instance_ends_failed(modern: Cluster) -> None:
    url = modern.url
    async with httpx.AsyncClient(timeout=20) as http:
        created, owner = await call(
            http, url, "tools/call", {"name": "hold", "arguments": {"key": "k"}}, TASKS
        )
        assert owner is not None
        modern.instances[int(owner.removeprefix("i"))].kill()
        began = time.monotonic()
        failed, _ = await poll(http, url, created["taskId"])
        assert failed["status"] == "failed", failed
        assert failed["error"]["code"] == -32603
        assert time.monotonic() - began < PROCESS_LEASE_S + 5


async def test_a_task_of_a_stopped_instance_fails_at_once(make_cluster: Any) -> None:
    """SIGTERM: the instance fails its running tasks as it stops (no lease to wait for)."""
    slow_lease = make_cluster(2, app=[*APP[:2], "--lease", "30"])
    url = slow_lease.url
    async with httpx.AsyncClient(timeout=20) as http:
        created, owner = await call(
            http, url, "tools/call", {"name": "hold", "arguments": {"key": "k"}}, TASKS
        )
        assert owner is not None
        slow_lease.instances[int(owner.removeprefix("i"))].stop()
        failed, _ = await poll(http, url, created["taskId"])
        assert failed["status"] == "failed", failed
        assert "stopped" in failed["error"]["message"]
