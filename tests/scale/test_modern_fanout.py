"""Listen streams across instances: a change raised on any instance reaches every
matching ``subscriptions/listen`` stream on every instance, exactly once."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from modern_cluster import LocalCluster, local_cluster, open_listener, result, store_urls

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str | None]]:
    with store_urls(tmp_path_factory.mktemp("redis")) as urls:
        yield urls


@pytest.fixture(scope="module", params=["memory", "redis"])
def cluster(
    request: pytest.FixtureRequest, stores: dict[str, str | None]
) -> Iterator[LocalCluster]:
    with local_cluster(3, store_url=stores[request.param]) as running:
        yield running


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
