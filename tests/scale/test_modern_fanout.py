"""Listen streams across instances: a change raised on any instance reaches every
matching ``subscriptions/listen`` stream on every instance, exactly once."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from modern_cluster import LocalCluster, local_cluster, open_listener, result

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


@pytest.fixture(scope="module")
def cluster(local_trio: LocalCluster) -> LocalCluster:
    return local_trio


async def test_list_changed_raised_on_one_instance_reaches_every_stream_once(
    cluster: LocalCluster,
) -> None:
    a, b, c = cluster.urls
    async with httpx.AsyncClient(timeout=10) as http:
        on_a = await open_listener(http, a, {"toolsListChanged": True})
        on_b = await open_listener(http, b, {"toolsListChanged": True})
        on_c = await open_listener(http, c, {"toolsListChanged": True})
        prompts_only = await open_listener(http, a, {"promptsListChanged": True})
        await result(http, b, "tools/call", {"name": "change_tools", "arguments": {}})
        for listener in (on_a, on_b, on_c):
            note = await listener.next()
            assert note["method"] == "notifications/tools/list_changed"
            assert "io.modelcontextprotocol/subscriptionId" in note["params"]["_meta"]
        assert await on_a.quiet_for(0.3) == []
        assert await on_b.quiet_for(0) == []
        assert await on_c.quiet_for(0) == []
        assert await prompts_only.quiet_for(0) == []
        for listener in (on_a, on_b, on_c, prompts_only):
            assert listener.task is not None
            listener.task.cancel()


async def test_resource_update_reaches_streams_that_name_the_uri(cluster: LocalCluster) -> None:
    a, b, c = cluster.urls
    async with httpx.AsyncClient(timeout=10) as http:
        wants_x = await open_listener(http, c, {"resourceSubscriptions": ["note://x"]})
        wants_y = await open_listener(http, b, {"resourceSubscriptions": ["note://y"]})
        await result(
            http, a, "tools/call", {"name": "update_note", "arguments": {"uri": "note://x"}}
        )
        note = await wants_x.next()
        assert note["method"] == "notifications/resources/updated"
        assert note["params"]["uri"] == "note://x"
        assert await wants_x.quiet_for(0.3) == []
        assert await wants_y.quiet_for(0) == []
        for listener in (wants_x, wants_y):
            assert listener.task is not None
            listener.task.cancel()


async def test_a_store_outage_leaves_changes_on_their_own_instance(redis_server: Any) -> None:
    """Redis down: a change still reaches the streams of the instance that raised it, and
    the call that raised it is answered."""
    with local_cluster(2, store_url=redis_server.url) as pair:
        a, b = pair.urls
        async with httpx.AsyncClient(timeout=20) as http:
            on_a = await open_listener(http, a, {"toolsListChanged": True})
            on_b = await open_listener(http, b, {"toolsListChanged": True})
            redis_server.stop()
            await result(http, a, "tools/call", {"name": "change_tools", "arguments": {}})
            assert (await on_a.next())["method"] == "notifications/tools/list_changed"
            assert await on_b.quiet_for(0.3) == []
            for listener in (on_a, on_b):
                assert listener.task is not None
                listener.task.cancel()


async def test_after_a_store_outage_changes_cross_instances_again(redis_server: Any) -> None:
    """Redis restarted: the relays hear the channel again (RedisStore reconnects its
    pub/sub connection and subscribes again)."""
    with local_cluster(2, store_url=redis_server.url) as pair:
        a, b = pair.urls
        async with httpx.AsyncClient(timeout=20) as http:
            on_a = await open_listener(http, a, {"toolsListChanged": True})
            redis_server.stop()
            redis_server.start()
            deadline = time.monotonic() + 10
            while True:  # the relays subscribe again once Redis is back
                await result(http, b, "tools/call", {"name": "change_tools", "arguments": {}})
                heard = await on_a.quiet_for(0.3)
                if heard:
                    break
                assert time.monotonic() < deadline, "the relay never came back"
            assert [n["method"] for n in heard] == ["notifications/tools/list_changed"]
            assert on_a.task is not None
            on_a.task.cancel()
