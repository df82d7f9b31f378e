"""Several instances of one app in this process, sharing ONE store, each its own runtime
``Server`` behind its own uvicorn on a loopback port; and a raw modern-wire HTTP client.

All instances run on one event loop in a background thread (the in-memory store is a
single-loop object); the tests talk to them over real sockets only.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import orjson
from local_services import RedisServer
from mcp_foundry.authoring import App
from mcp_foundry.runtime.http.headers import NAME_SOURCES
from mcp_foundry.runtime.http.serve import McpServer, server_config
from mcp_foundry.runtime.http.sse import EventParser
from mcp_foundry.runtime.server import Server
from mcp_foundry.runtime.store import MemoryStore, Store, open_store
from modern_app import build_app

MODERN = "2026-07-28"
LEGACY = "2025-11-25"
TASKS = {"extensions": {"io.modelcontextprotocol/tasks": {}}}
ELICIT = {"elicitation": {"form": {}}}
SECRET = b"scale-modern-shared-request-state-key"
LEASE_S = 3.0
"""The task lease of in-process instances. They share one event loop (and the GIL with
the test): on a loaded 2-core machine that loop can stall for most of a second, and an
owner renews its leases every third of one, so a 1 s lease could lapse under a live task
(read as ``failed``). Tests that wait for a lease to lapse wait at least this long."""
PROCESS_LEASE_S = 2.0
"""The task lease of the app run as separate processes (each its own loop: less stall)."""
PROCESS_APP = [
    sys.executable,
    str(Path(__file__).resolve().parent / "modern_app.py"),
    "--lease",
    str(PROCESS_LEASE_S),
]
"""The command of one instance of the scale tests' app (``make_cluster(app=...)``)."""
T = TypeVar("T")


def attach(app: App, store: Store, secret: bytes) -> Server:
    """The app's runtime server over the store object ``store`` (what ``use_store`` sets
    from a URL; one in-process store shared by several apps has none)."""
    app._deployment = (store, secret)
    return app.runtime()


@contextmanager
def store_urls(folder: Path) -> Iterator[dict[str, str | None]]:
    """The stores a local cluster can run on: one in-process store, a real Redis."""
    redis = RedisServer(folder)
    redis.start()
    try:
        yield {"memory": None, "redis": redis.url}
    finally:
        redis.stop()


@dataclass
class LocalCluster:
    loop: asyncio.AbstractEventLoop
    store: Store
    apps: list[App]
    urls: list[str]
    servers: list[McpServer] = field(default_factory=list)

    def run(self, work: Awaitable[T], timeout: float = 20) -> T:
        """Run ``work`` on the instances' loop (where the store lives)."""
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout)  # type: ignore[arg-type]


@contextmanager
def local_cluster(
    count: int = 3,
    *,
    lease_s: float | None = LEASE_S,
    build: Callable[..., App] = build_app,
    secret: bytes = SECRET,
    store_url: str | None = None,
) -> Iterator[LocalCluster]:
    """``count`` instances over one :class:`MemoryStore`, or each with its own client of
    the Redis at ``store_url``; stops them all at the end."""
    shared = MemoryStore(shared=True)
    stores = [open_store(store_url) if store_url else shared for _ in range(count)]
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    apps = [build(store, lease_s=lease_s) for store in stores]
    cluster = LocalCluster(loop, stores[0], apps, [])
    served: list[asyncio.Future[None]] = []
    try:
        for app, store in zip(apps, stores, strict=True):
            attach(app, store, secret)
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            host, port = sock.getsockname()[:2]
            config = server_config(
                app.http_app(), host, port, log_level="warning", timeout_graceful_shutdown=1
            )
            server = McpServer(config)
            cluster.servers.append(server)
            served.append(asyncio.run_coroutine_threadsafe(server.serve(sockets=[sock]), loop))
            cluster.urls.append(f"http://{host}:{port}/mcp")
        deadline = time.monotonic() + 10
        while not all(s.started for s in cluster.servers):
            assert time.monotonic() < deadline, "an instance did not start"
            time.sleep(0.01)
        yield cluster
    finally:
        for server in cluster.servers:
            server.should_exit = True
        for future in served:
            future.result(15)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


# ---- the modern wire over raw HTTP -------------------------------------------------------

_ids = itertools.count(1)


def request(
    method: str, params: dict[str, Any] | None = None, caps: dict[str, Any] | None = None
) -> dict[str, Any]:
    meta = {
        "io.modelcontextprotocol/protocolVersion": MODERN,
        "io.modelcontextprotocol/clientCapabilities": caps or {},
    }
    return {
        "jsonrpc": "2.0",
        "id": next(_ids),
        "method": method,
        "params": {**(params or {}), "_meta": meta},
    }


def headers(message: dict[str, Any]) -> dict[str, str]:
    out = {
        "accept": "application/json, text/event-stream",
        "content-type": "application/json",
        "mcp-protocol-version": MODERN,
        "mcp-method": message["method"],
    }
    source = NAME_SOURCES.get(message["method"])
    name = message["params"].get(source) if source else None
    if isinstance(name, str):
        out["mcp-name"] = name
    return out


def messages_of(response: httpx.Response) -> list[dict[str, Any]]:
    if response.headers["content-type"].startswith("text/event-stream"):
        return [orjson.loads(e.data) for e in EventParser().feed(response.content) if e.data]
    return [response.json()]


async def send(http: httpx.AsyncClient, url: str, message: dict[str, Any]) -> dict[str, Any]:
    """The JSON-RPC response to ``message`` (result or error)."""
    return (await exchange(http, url, message))[0]


async def exchange(
    http: httpx.AsyncClient, url: str, message: dict[str, Any]
) -> tuple[dict[str, Any], str | None]:
    """The response to ``message`` and the instance that answered (behind the balancer)."""
    response = await http.post(url, content=orjson.dumps(message), headers=headers(message))
    found = [m for m in messages_of(response) if m.get("id") == message["id"]]
    assert found, (response.status_code, response.text)
    return found[-1], response.headers.get("x-served-by")


async def result(
    http: httpx.AsyncClient,
    url: str,
    method: str,
    params: dict[str, Any] | None = None,
    caps: dict[str, Any] | None = None,
) -> dict[str, Any]:
    answer = await send(http, url, request(method, params, caps))
    assert "result" in answer, answer
    found: dict[str, Any] = answer["result"]
    return found


async def session(
    http: httpx.AsyncClient, url: str, capabilities: dict[str, Any] | None = None
) -> str:
    """A fresh 2025-11-25 session on the instance at ``url``; its id."""
    init = {
        "jsonrpc": "2.0",
        "id": 0,
        "method": "initialize",
        "params": {
            "protocolVersion": LEGACY,
            "capabilities": capabilities or {},
            "clientInfo": {"name": "scale-test", "version": "1"},
        },
    }
    response = await http.post(url, content=orjson.dumps(init), headers=legacy_headers(None))
    assert response.status_code == 200, response.text
    session_id = response.headers["mcp-session-id"]
    done = await http.post(
        url,
        content=orjson.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        headers=legacy_headers(session_id),
    )
    assert done.status_code == 202
    return session_id


def legacy_headers(session_id: str | None) -> dict[str, str]:
    out = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
    if session_id is not None:
        out["mcp-session-id"] = session_id
        out["mcp-protocol-version"] = LEGACY
    return out


async def legacy(
    http: httpx.AsyncClient,
    url: str,
    session_id: str,
    method: str,
    params: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The response (result or error) to one request on a legacy session."""
    message = {"jsonrpc": "2.0", "id": next(_ids), "method": method, "params": params or {}}
    response = await http.post(
        url, content=orjson.dumps(message), headers=legacy_headers(session_id)
    )
    found = [m for m in messages_of(response) if m.get("id") == message["id"]]
    assert found, (response.status_code, response.text)
    return found[-1]


class Listener:
    """An open ``subscriptions/listen`` stream: its messages arrive in ``received``."""

    def __init__(self) -> None:
        self.received: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None
        self.served_by: str | None = None
        """The instance that holds the stream (behind the balancer)."""

    async def next(self, timeout: float = 5.0) -> dict[str, Any]:
        return await asyncio.wait_for(self.received.get(), timeout)

    async def quiet_for(self, seconds: float) -> list[dict[str, Any]]:
        """What else arrives within ``seconds`` (expected: nothing)."""
        await asyncio.sleep(seconds)
        extra = []
        while not self.received.empty():
            extra.append(self.received.get_nowait())
        return extra


async def open_listener(
    http: httpx.AsyncClient, url: str, notifications: dict[str, Any]
) -> Listener:
    """Open a listen stream and wait for its acknowledgement."""
    listener = Listener()
    message = request("subscriptions/listen", {"notifications": notifications})
    ready = asyncio.Event()

    async def pump() -> None:
        async with http.stream(
            "POST", url, content=orjson.dumps(message), headers=headers(message)
        ) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            listener.served_by = response.headers.get("x-served-by")
            parser = EventParser()
            async for chunk in response.aiter_raw():
                for event in parser.feed(chunk):
                    if event.data:
                        listener.received.put_nowait(orjson.loads(event.data))
                        ready.set()

    listener.task = asyncio.create_task(pump())
    await asyncio.wait_for(ready.wait(), 5)
    ack = await listener.next()
    assert ack["method"] == "notifications/subscriptions/acknowledged", ack
    return listener
