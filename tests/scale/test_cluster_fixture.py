"""The scale-out test bed itself: requests spread over every instance, one killed
instance is routed around, a restarted one serves again."""

from __future__ import annotations

import time
from typing import Any

import httpx
import orjson
from local_services import SERVED_BY, Cluster

MODERN = "2026-07-28"
PATIENCE_S = 30.0
"""How long a request, or a restarted instance's return to the rotation, may take: the
health check needs half a second, but a just-restarted process answers its first
requests slowly on a loaded 2-core machine (a bound, not an expected duration)."""


def discover(http: httpx.Client, url: str) -> httpx.Response:
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "server/discover",
        "params": {
            "_meta": {
                "io.modelcontextprotocol/protocolVersion": MODERN,
                "io.modelcontextprotocol/clientCapabilities": {},
            }
        },
    }
    headers = {
        "accept": "application/json, text/event-stream",
        "content-type": "application/json",
        "mcp-protocol-version": MODERN,
        "mcp-method": "server/discover",
    }
    return http.post(url, content=orjson.dumps(body), headers=headers)


def served(http: httpx.Client, cluster: Cluster, count: int) -> list[str]:
    names = []
    for _ in range(count):
        response = discover(http, cluster.url)
        assert response.status_code == 200, (response.text, cluster.logs())
        result: Any = response.json()["result"]
        assert result["supportedVersions"], result
        names.append(response.headers[SERVED_BY])
    return names


def test_round_robin_without_stickiness(cluster: Cluster) -> None:
    with httpx.Client(timeout=10) as http:  # one kept-alive client connection
        names = served(http, cluster, 6)
    assert set(names) == {"i0", "i1", "i2"}, names
    assert all(a != b for a, b in zip(names, names[1:], strict=False)), names


def test_killed_instance_is_routed_around_then_back(cluster: Cluster) -> None:
    cluster.instances[1].kill()
    with httpx.Client(timeout=PATIENCE_S) as http:
        assert "i1" not in served(http, cluster, 6)
        cluster.instances[1].restart()
        deadline = time.monotonic() + PATIENCE_S  # the health check brings it back
        while "i1" not in served(http, cluster, 3):
            assert time.monotonic() < deadline, "the restarted instance is not used again"
            time.sleep(0.1)
