"""Scale-out fixtures: several real server processes behind a real haproxy (round robin,
no stickiness) sharing a real ``redis-server``, all on loopback ports.

``redis_server`` (root conftest) is the Redis the cluster uses: ``stop()``/``start()``
it to test a Redis outage. ``cluster`` is three instances of ``python -m
examples.everything``; ``make_cluster(count, app=argv)`` makes others (``app`` is the
command before ``--transport http --port P --store URL --state-secret-file F
--log-level L``). ``local_trio`` is three in-process instances of the scale app
(``modern_cluster``) over one shared store, once in memory and once on a real Redis.
Everything stops at teardown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from local_services import TOOLS, Cluster, RedisServer, require
from modern_cluster import LocalCluster, local_cluster, store_urls

MakeCluster = Callable[..., Cluster]


@pytest.fixture
def make_cluster(tmp_path: Path, redis_server: RedisServer) -> Iterator[MakeCluster]:
    made: list[Cluster] = []

    def make(count: int = 3, app: list[str] | None = None) -> Cluster:
        require(*TOOLS)
        folder = tmp_path / f"cluster-{len(made)}"
        folder.mkdir()
        cluster = Cluster(folder, redis_server, count, app)
        made.append(cluster)
        cluster.start()
        return cluster

    try:
        yield make
    finally:
        for cluster in made:
            cluster.stop()


@pytest.fixture
def cluster(make_cluster: MakeCluster) -> Cluster:
    """Three instances of ``examples.everything`` behind haproxy (``.url``)."""
    return make_cluster()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str | None]]:
    with store_urls(tmp_path_factory.mktemp("redis")) as urls:
        yield urls


@pytest.fixture(scope="module", params=["memory", "redis"])
def local_trio(
    request: pytest.FixtureRequest, stores: dict[str, str | None]
) -> Iterator[LocalCluster]:
    with local_cluster(3, store_url=stores[request.param]) as running:
        yield running
