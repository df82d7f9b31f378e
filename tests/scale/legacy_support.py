"""The legacy scale-out test app, and two ways to deploy it as several instances
behind a round-robin balancer without stickiness (every request, not connection, goes
to the next instance):

* :func:`in_process_cluster`: instances in this process sharing one
  ``MemoryStore(shared=True)``, all on one event loop in a thread (a MemoryStore is one
  loop's), the instances and a small HTTP balancer each a real uvicorn on loopback;
* run as a script (``python legacy_support.py --transport http --port P --store URL
  --state-secret-file F``): one instance for ``local_services.Cluster`` (Redis + haproxy).
"""

from __future__ import annotations

import asyncio
import itertools
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
from mcp_foundry.authoring import App, Context
from mcp_foundry.runtime.http import HttpConfig, create_app
from mcp_foundry.runtime.http.serve import McpServer, server_config
from mcp_foundry.runtime.http.sse import Event, EventParser
from mcp_foundry.runtime.server import Server
from mcp_foundry.runtime.store import MemoryStore, Store

LEGACY = "2025-11-25"
BOTH = "application/json, text/event-stream"

app = App("scale-legacy", "1.0.0")


@app.tool()
def echo(text: str) -> str:
    """Returns its argument."""
    return text


@app.tool()
async def chatty(ctx: Context) -> str:
    """Logs at every level before answering (the session's log level filters)."""
    await ctx.log("debug", "a debug line")
    await ctx.log("error", "an error line")
    return "logged"


@app.tool()
async def ask(ctx: Context) -> str:
    """Asks the user (elicitation: a server→client request)."""
    answer = await ctx.elicit(
        "Your name?", {"type": "object", "properties": {"name": {"type": "string"}}}
    )
    return f"hello {answer.content['name']}"


@app.tool()
async def slow(label: str, seconds: float = 30.0) -> str:
    """Sleeps (long enough to be cancelled)."""
    await asyncio.sleep(seconds)
    return f"{label} slept"


@app.tool()
async def working(ctx: Context, seconds: float = 30.0) -> str:
    """Says it started (so its answer is an SSE stream), then takes its time."""
    await ctx.info("working")
    await asyncio.sleep(seconds)
    return "worked"


@app.tool()
async def reconnect(ctx: Context) -> str:
    """Drops its SSE stream mid-call; the rest arrives on the client's resumption."""
    await ctx.info("before the drop")
    await ctx.close_stream()
    await asyncio.sleep(0.3)
    await ctx.info("after the drop")
    return "resumed answer"


@app.tool()
async def touch_tools(ctx: Context) -> str:
    """Announces a tool-list change from the instance that runs it."""
    await ctx.request.server.notify_list_changed("tools")
    return "announced"


@app.tool()
async def update(uri: str, ctx: Context) -> str:
    """Announces that a resource changed, from the instance that runs it."""
    await ctx.request.server.notify_resource_updated(uri)
    return "updated"


@app.resource("test://watched", name="watched", mime_type="text/plain")
def watched() -> str:
    return "watched"


def server_for(store: Store) -> Server:
    """One instance's server core (its own, as a separate process would have)."""
    return Server(
        app, name=app.name, version=app.version, capabilities=app.capabilities(), store=store
    )


class RoundRobin:
    """An HTTP reverse proxy sending each request to the next backend (no stickiness),
    streaming responses (SSE) through and closing upstream when the client leaves."""

    def __init__(self, backends: list[str]) -> None:
        self.backends = itertools.cycle(backends)
        self.client: httpx.AsyncClient | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    self.client = httpx.AsyncClient(timeout=None)
                    await send({"type": "lifespan.startup.complete"})
                else:
                    assert self.client is not None
                    await self.client.aclose()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        backend = next(self.backends)
        headers = [(k, v) for k, v in scope["headers"] if k not in (b"host", b"content-length")]
        relay = asyncio.get_running_loop().create_task(
            self._relay(scope, body, backend, headers, send)
        )
        watcher = asyncio.get_running_loop().create_task(_until_disconnect(receive))
        await asyncio.wait([relay, watcher], return_when=asyncio.FIRST_COMPLETED)
        for task in (relay, watcher):
            task.cancel()
        await asyncio.gather(relay, watcher, return_exceptions=True)

    async def _relay(self, scope: Any, body: bytes, backend: str, headers: Any, send: Any) -> None:
        assert self.client is not None
        request = self.client.build_request(
            scope["method"], backend + scope["path"], headers=headers, content=body
        )
        try:
            response = await self.client.send(request, stream=True)
        except httpx.TransportError:
            await send({"type": "http.response.start", "status": 503, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        try:
            passed = [
                (k.encode(), v.encode())
                for k, v in response.headers.multi_items()
                if k not in ("transfer-encoding", "connection", "content-length")
            ]
            await send(
                {"type": "http.response.start", "status": response.status_code, "headers": passed}
            )
            async for chunk in response.aiter_raw():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        finally:
            await response.aclose()


async def _until_disconnect(receive: Any) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


@dataclass
class Cluster:
    url: str
    """The balancer's MCP endpoint."""
    instances: list[str]
    """Each instance's MCP endpoint (to aim a request at one on purpose)."""


def _socket() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def in_process_cluster(
    size: int = 3, store: Store | None = None, auth: Callable[[str], Any] | None = None
) -> Iterator[Cluster]:
    """``size`` instances sharing ``store`` (a shared :class:`MemoryStore` by default);
    ``auth(url)``, given the balancer's MCP URL, protects each instance (its own layer)."""
    shared = store if store is not None else MemoryStore(shared=True)
    config = HttpConfig(retry_ms=50, keepalive_s=0.5)
    servers = [server_for(shared) for _ in range(size)]
    socks = [_socket() for _ in range(size + 1)]
    urls = [f"http://127.0.0.1:{s.getsockname()[1]}" for s in socks]
    protection = auth(urls[-1] + "/mcp") if auth is not None else None
    apps: list[Any] = [
        create_app(s, config, tool_schema=app.tool_input_schema, auth=protection) for s in servers
    ]
    apps.append(RoundRobin([u for u in urls[:size]]))
    uvicorns = [
        McpServer(
            server_config(a, *s.getsockname()[:2], log_level="warning", timeout_graceful_shutdown=1)
        )
        for a, s in zip(apps, socks, strict=False)
    ]
    loop = asyncio.new_event_loop()

    async def serve_all() -> None:
        await asyncio.gather(*(u.serve(sockets=[s]) for u, s in zip(uvicorns, socks, strict=False)))

    thread = threading.Thread(target=loop.run_until_complete, args=(serve_all(),), daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not all(u.started for u in uvicorns):
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield Cluster(urls[-1] + "/mcp", [u + "/mcp" for u in urls[:size]])
    finally:
        for u in uvicorns:
            u.should_exit = True
        thread.join(15)


# ---- a raw legacy client ------------------------------------------------------------


def headers(session: str | None = None, **extra: str) -> dict[str, str]:
    found = {"accept": BOTH, "content-type": "application/json", "mcp-protocol-version": LEGACY}
    if session is not None:
        found["mcp-session-id"] = session
    found.update(extra)
    return found


def post(http: httpx.Client, url: str, body: Any, session: str | None = None) -> httpx.Response:
    return http.post(url, content=orjson.dumps(body), headers=headers(session))


def messages(response: httpx.Response) -> list[dict[str, Any]]:
    if response.headers["content-type"].startswith("text/event-stream"):
        return [orjson.loads(e.data) for e in EventParser().feed(response.content) if e.data]
    return [response.json()]


def request(
    method: str, params: dict[str, Any] | None = None, request_id: int = 1
) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params or {}}


def call(name: str, arguments: dict[str, Any] | None = None, request_id: int = 1) -> dict[str, Any]:
    return request("tools/call", {"name": name, "arguments": arguments or {}}, request_id)


def open_session(http: httpx.Client, url: str, capabilities: dict[str, Any] | None = None) -> str:
    init = request(
        "initialize",
        {
            "protocolVersion": LEGACY,
            "capabilities": capabilities or {},
            "clientInfo": {"name": "scale-test", "version": "1"},
        },
        0,
    )
    response = post(http, url, init)
    assert response.status_code == 200, response.text
    session = response.headers["mcp-session-id"]
    done = post(http, url, {"jsonrpc": "2.0", "method": "notifications/initialized"}, session)
    assert done.status_code == 202, done.text
    return session


class SseReader:
    """Reads one streaming SSE response event by event."""

    def __init__(self, response: httpx.Response) -> None:
        self.parser = EventParser()
        self._chunks = response.iter_raw()
        self._pending: list[Event] = []

    def next_event(self) -> Event:
        while not self._pending:
            self._pending.extend(self.parser.feed(next(self._chunks)))
        return self._pending.pop(0)

    def next_message(self) -> tuple[dict[str, Any], str | None]:
        while True:
            event = self.next_event()
            if event.data:
                return orjson.loads(event.data), event.id


def main() -> None:
    import argparse
    import logging
    import sys

    from mcp_foundry.authoring.deploy_options import add_deploy_options, deploy_settings

    parser = argparse.ArgumentParser(prog="legacy_support.py")
    parser.add_argument("--transport", choices=("http",), default="http")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log-level", default="WARNING")
    add_deploy_options(parser)
    args = parser.parse_args()
    deploy = deploy_settings(parser, args)
    logging.basicConfig(stream=sys.stderr, level=args.log_level.upper())
    app.run("http", port=args.port, drain_s=1.0, **deploy)


if __name__ == "__main__":
    main()
