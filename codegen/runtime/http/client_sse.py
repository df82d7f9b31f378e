"""The client side of the deprecated 2024-11-05 HTTP+SSE transport.

One long ``GET`` stream carries every server message; it opens with an ``endpoint``
event naming where to POST. Kept for servers that never moved to Streamable HTTP.
"""

from __future__ import annotations

import logging
import math
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any
from urllib.parse import urljoin, urlsplit

import anyio
import httpx
import orjson
from anyio.abc import TaskGroup
from mcp_foundry.runtime.client import Client
from mcp_foundry.runtime.http.client import Message, client_on, new_http_client, transport_error
from mcp_foundry.runtime.http.sse import EventParser
from mcp_foundry.sources import registry

log = logging.getLogger(__name__)


class SseClientTransport:
    """A message duplex over ``GET <url>`` + ``POST <endpoint>``."""

    def __init__(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        timeout: float = 60.0,
        auth: httpx.Auth | None = None,
    ) -> None:
        self.url = url
        self.endpoint: str | None = None
        self._headers = dict(headers or {})
        self._http = new_http_client(timeout, auth)
        self._inbox_send, self._inbox = anyio.create_memory_object_stream[Message](math.inf)
        self._tasks: TaskGroup | None = None

    async def __aenter__(self) -> SseClientTransport:
        self._tasks = anyio.create_task_group()
        await self._tasks.__aenter__()
        ready = anyio.Event()
        self._tasks.start_soon(self._read, ready)
        with anyio.fail_after(30):
            await ready.wait()
        if self.endpoint is None:
            await self.__aexit__(None, None, None)
            raise ConnectionError(f"{self.url} sent no endpoint event")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._tasks is not None:
            self._tasks.cancel_scope.cancel()
            await self._tasks.__aexit__(exc_type, exc, tb)
            self._tasks = None
        self._inbox_send.close()
        await self._http.aclose()

    async def _read(self, ready: anyio.Event) -> None:
        parser = EventParser()
        try:
            headers = {**self._headers, "accept": "text/event-stream"}
            async with self._http.stream("GET", self.url, headers=headers) as response:
                if response.status_code != 200:
                    log.warning(
                        "%s answered the SSE GET with HTTP %d",
                        self.url,
                        response.status_code,
                    )
                    return
                async for chunk in response.aiter_bytes():
                    for event in parser.feed(chunk):
                        if event.event == "endpoint":
                            self.endpoint = self._trusted(urljoin(self.url, event.data))
                            ready.set()
                        elif event.event == "message" and event.data:
                            await self._inbox_send.send(orjson.loads(event.data))
        except httpx.HTTPError as exc:
            log.info("SSE stream ended: %s", exc)
        finally:
            ready.set()
            self._inbox_send.close()

    def _trusted(self, endpoint: str) -> str | None:
        """Only POST to the origin we connected to (a hostile stream must not redirect us)."""
        ours, theirs = urlsplit(self.url), urlsplit(endpoint)
        if (ours.scheme, ours.netloc) != (theirs.scheme, theirs.netloc):
            log.warning("ignoring endpoint %s on another origin", endpoint)
            return None
        return endpoint

    async def send(self, message: Message) -> None:
        assert self.endpoint is not None
        headers = {**self._headers, "content-type": "application/json"}
        try:
            response = await self._http.post(
                self.endpoint, content=orjson.dumps(message), headers=headers
            )
            failed = response.status_code >= 400
            status, detail = response.status_code, response.text[:200]
        except httpx.HTTPError as exc:
            failed, status, detail = True, 0, str(exc)
        if failed and "id" in message and "method" in message:
            await self._inbox_send.send(transport_error(message["id"], status, detail))

    async def receive(self) -> Message:
        return await self._inbox.receive()

    def __aiter__(self) -> AsyncIterator[Message]:
        return self._inbox.__aiter__()

    async def terminate(self) -> None:
        """Nothing to send: leaving the context closes the stream, which ends the session."""


@asynccontextmanager
async def connect_sse(
    url: str,
    *,
    version: str | None = None,
    headers: Mapping[str, str] | None = None,
    auth: httpx.Auth | None = None,
    connect: bool = True,
    **client_options: Any,
) -> AsyncIterator[Client]:
    """A client on a deprecated HTTP+SSE server (``url`` is its SSE endpoint), speaking
    ``version`` or else the oldest revision, the one that defined this transport."""
    async with SseClientTransport(url, headers=headers, auth=auth) as transport:
        chosen = version or registry.wire_versions()[0]
        async with client_on(transport, chosen, connect, client_options) as client:
            yield client
