"""2025-11-25 protocol tasks of a session that several instances serve: the task runs
where the ``tools/call`` landed, and ``tasks/get``, ``tasks/list``, ``tasks/result`` and
``tasks/cancel`` on the same session work on any instance (needs shared sessions)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import pytest
from modern_app import HAPPENED
from modern_cluster import LocalCluster, legacy, local_cluster, session

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with local_cluster(3) as running:
        yield running


async def test_a_sessions_task_is_served_by_every_instance(cluster: LocalCluster) -> None:
    a, b, c = cluster.urls
    async with httpx.AsyncClient(timeout=10) as http:
        sid = await session(http, a)
        call = {"name": "slow", "arguments": {"seconds": 0.5}, "task": {"ttl": 30_000}}
        created = await legacy(http, a, sid, "tools/call", call)
        assert "result" in created, created
        task_id = created["result"]["task"]["taskId"]
        got = await legacy(http, b, sid, "tasks/get", {"taskId": task_id})
        assert got["result"]["status"] == "working", got
        listed = await legacy(http, c, sid, "tasks/list")
        assert [t["taskId"] for t in listed["result"]["tasks"]] == [task_id]
        done = await legacy(http, b, sid, "tasks/result", {"taskId": task_id})
        assert done["result"]["content"][0]["text"] == "slept 0.5", done

        other = await session(http, b)
        hidden = await legacy(http, c, other, "tasks/get", {"taskId": task_id})
        assert hidden["error"]["code"] == -32602

        held = await legacy(
            http, a, sid, "tools/call", {"name": "hold", "arguments": {"key": "s"}, "task": {}}
        )
        held_id = held["result"]["task"]["taskId"]
        cancelled = await legacy(http, c, sid, "tasks/cancel", {"taskId": held_id})
        assert cancelled["result"]["status"] == "cancelled", cancelled

        async def read() -> list[str]:
            return list(HAPPENED[id(cluster.apps[0])])

        deadline = time.monotonic() + 5
        while "s:cancelled" not in cluster.run(read()):
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
