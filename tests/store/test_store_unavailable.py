"""A shared store out of reach: requests get HTTP 503 with ``Retry-After`` and a
JSON-RPC error (on stdio, the error alone), quickly; the server neither crashes nor
hangs, and serves again once Redis is back. Real redis-server, real server process."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from local_services import RedisServer, end, free_port, wait_port
from mcp_foundry.runtime.errors import STORE_UNAVAILABLE

APP = [sys.executable, str(Path(__file__).resolve().parent / "store_fault_app.py")]
SECRET = "store-fault-tests-shared-secret"
MODERN, LEGACY = "2026-07-28", "2025-11-25"
ACCEPT = "application/json, text/event-stream"


def server_env() -> dict[str, str]:
    return {**os.environ, "MCP_FOUNDRY_STATE_SECRET": SECRET}


@pytest.fixture
def http_server(redis_server: RedisServer, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    log = (tmp_path / "server.log").open("wb")
    argv = [*APP, "http", "--port", str(port), "--store", redis_server.url]
    process = subprocess.Popen(argv, stderr=log, env=server_env())
    try:
        wait_port(port, process, "the store-fault server")
        yield f"http://127.0.0.1:{port}/mcp"
        assert process.poll() is None, "the server died"
    finally:
        end(process)
        log.close()


def remember(request_id: int, modern: bool) -> dict[str, Any]:
    params: dict[str, Any] = {"name": "remember", "arguments": {"text": "hi"}}
    if modern:
        params["_meta"] = {
            "io.modelcontextprotocol/protocolVersion": MODERN,
            "io.modelcontextprotocol/clientCapabilities": {},
        }
    return {"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": params}


def modern_call(http: httpx.Client, url: str, request_id: int) -> httpx.Response:
    headers = {
        "accept": ACCEPT,
        "content-type": "application/json",
        "mcp-protocol-version": MODERN,
        "mcp-method": "tools/call",
        "mcp-name": "remember",
    }
    return http.post(url, content=orjson.dumps(remember(request_id, True)), headers=headers)


def assert_unavailable(response: httpx.Response, request_id: int, redis: RedisServer) -> None:
    assert response.status_code == 503, response.text
    assert int(response.headers["retry-after"]) > 0
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["id"] == request_id
    assert body["error"]["code"] == STORE_UNAVAILABLE
    assert "retry" in body["error"]["message"]
    for secret in (str(redis.port), "redis://", SECRET, "Traceback"):
        assert secret not in response.text


def assert_kept(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    assert response.json()["result"]["content"][0]["text"] == "kept"


def test_modern_http_503_then_back(http_server: str, redis_server: RedisServer) -> None:
    with httpx.Client(timeout=30) as http:
        assert_kept(modern_call(http, http_server, 1))
        redis_server.stop()
        for request_id in (2, 3):
            started = time.monotonic()
            assert_unavailable(modern_call(http, http_server, request_id), request_id, redis_server)
            assert time.monotonic() - started < 5
        redis_server.start()
        assert_kept(modern_call(http, http_server, 4))


def test_legacy_http_503_then_back(http_server: str, redis_server: RedisServer) -> None:
    with httpx.Client(timeout=30) as http:
        initialize = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": LEGACY,
                "capabilities": {},
                "clientInfo": {"name": "t", "version": "1"},
            },
        }
        base = {"accept": ACCEPT, "content-type": "application/json"}
        opened = http.post(http_server, content=orjson.dumps(initialize), headers=base)
        assert opened.status_code == 200, opened.text
        headers = {
            **base,
            "mcp-session-id": opened.headers["mcp-session-id"],
            "mcp-protocol-version": LEGACY,
        }
        initialized = {"jsonrpc": "2.0", "method": "notifications/initialized"}
        assert http.post(http_server, content=orjson.dumps(initialized), headers=headers)
        call = orjson.dumps(remember(2, False))
        assert_kept(http.post(http_server, content=call, headers=headers))
        redis_server.stop()
        started = time.monotonic()
        call = orjson.dumps(remember(3, False))
        assert_unavailable(http.post(http_server, content=call, headers=headers), 3, redis_server)
        assert time.monotonic() - started < 5
        redis_server.start()
        call = orjson.dumps(remember(4, False))
        assert_kept(http.post(http_server, content=call, headers=headers))


def test_stdio_json_rpc_error(redis_server: RedisServer) -> None:
    redis_server.stop()
    lines = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": LEGACY,
                "capabilities": {},
                "clientInfo": {"name": "t", "version": "1"},
            },
        },
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        remember(2, False),
        {"jsonrpc": "2.0", "id": 3, "method": "ping"},
        remember(4, True),
    ]
    started = time.monotonic()
    done = subprocess.run(
        [*APP, "stdio", "--store", redis_server.url],
        input=b"".join(orjson.dumps(line) + b"\n" for line in lines),
        capture_output=True,
        env=server_env(),
        timeout=60,
    )
    assert time.monotonic() - started < 30
    answers = {m["id"]: m for m in map(orjson.loads, done.stdout.splitlines())}
    for request_id in (2, 4):
        assert answers[request_id]["error"]["code"] == STORE_UNAVAILABLE, answers
        assert str(redis_server.port) not in str(answers[request_id])
    assert answers[3]["result"] == {}
    assert done.returncode == 0, done.stderr.decode()[-2000:]
