"""The scale-out test bed itself: requests spread over every instance, one killed
instance is routed around, a restarted one serves again."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
from local_services import SERVED_BY, Cluster

MODERN = "2026-07-28"


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
    with httpx.Client(timeout=10) as http:
        assert "i1" not in served(http, cluster, 6)
        cluster.instances[1].restart()
        names: list[str] = []
        for _ in range(40):  # the health check brings it back within a second or so
            names += served(http, cluster, 3)
            if "i1" in names[-3:]:
                break
        assert "i1" in names
