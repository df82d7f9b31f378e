"""Drive an authored App through the real runtime server, in process, on the 2026 wire."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import pytest
from mcp_foundry.authoring import App

PROTOCOL = "io.modelcontextprotocol/protocolVersion"
CAPS = "io.modelcontextprotocol/clientCapabilities"
TASKS = {"extensions": {"io.modelcontextprotocol/tasks": {}}}


@dataclass
class Client:
    """A stateless 2026-07-28 client talking to ``app`` through ``Server.handle_modern``."""

    app: App
    ids: Any = field(default_factory=lambda: itertools.count(1))
    notifications: list[dict[str, Any]] = field(default_factory=list)

    async def send(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        caps: dict[str, Any] | None = None,
        **meta: Any,
    ) -> dict[str, Any]:
        """The whole JSON-RPC response (result or error)."""
        body = dict(params or {})
        body["_meta"] = {PROTOCOL: "2026-07-28", CAPS: caps if caps is not None else {}, **meta}
        message = {"jsonrpc": "2.0", "id": next(self.ids), "method": method, "params": body}

        async def sink(out: Any, related: Any) -> None:
            self.notifications.append(out)

        response = await self.app.runtime().handle_modern(message, sink)
        assert response is not None
        return response

    async def result(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        caps: dict[str, Any] | None = None,
        **meta: Any,
    ) -> dict[str, Any]:
        response = await self.send(method, params, caps, **meta)
        assert "result" in response, response
        return response["result"]  # type: ignore[no-any-return]

    async def error(
        self, method: str, params: dict[str, Any] | None = None, caps: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        response = await self.send(method, params, caps)
        assert "error" in response, response
        return response["error"]  # type: ignore[no-any-return]

    async def call(
        self,
        tool: str,
        arguments: dict[str, Any] | None = None,
        caps: dict[str, Any] | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        return await self.result(
            "tools/call", {"name": tool, "arguments": arguments or {}, **extra}, caps
        )


@pytest.fixture
def app() -> App:
    return App("test-app", "1.2.3")


@pytest.fixture
def client(app: App) -> Client:
    return Client(app)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
