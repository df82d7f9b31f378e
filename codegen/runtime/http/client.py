"""The client side of Streamable HTTP: one POST per message, replies as JSON or SSE.

:class:`HttpClientTransport` looks like any message duplex to the client engine
(``send`` one message, ``receive`` the next inbound one) and hides the HTTP shape
behind it: session ids, the ``MCP-Protocol-Version`` header, the 2026-07-28 routing
headers, reconnecting a dropped legacy SSE stream with ``Last-Event-ID``, and the
standalone ``GET`` stream of legacy sessions.

HTTP failures that carry no JSON-RPC body are turned into an error response for the
request that caused them, code :data:`TRANSPORT_ERROR` with ``data.httpStatus``, so an
engine waiting for that id never hangs and can still tell a legacy server's ``400``
(fall back to ``initialize``) from a modern JSON-RPC error.
"""

from __future__ import annotations

import logging
import math
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any, Protocol, TypeGuard

import anyio
import httpx
import orjson
from anyio.abc import TaskGroup
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from mcp_foundry.runtime import revisions
from mcp_foundry.runtime.client import Client, single_errors_unwrapped
from mcp_foundry.runtime.errors import HEADER_MISMATCH
from mcp_foundry.runtime.http.headers import (
    InvalidHeaderAnnotation,
    ParamHeader,
    param_headers,
    request_headers,
)
from mcp_foundry.runtime.http.sse import EventParser

logger = logging.getLogger(__name__)

TRANSPORT_ERROR = -32000
META_VERSION = "io.modelcontextprotocol/protocolVersion"
ACCEPT_BOTH = "application/json, text/event-stream"
MAX_RESUMES = 10

Message = dict[str, Any]


class SessionExpired(Exception):
    """The server answered 404 to our session id: start over with ``initialize``."""

    def __init__(self, session_id: str) -> None:
        super().__init__(session_id)
        self.session_id = session_id


class HttpClientTransport:
    """A Streamable HTTP connection to one MCP endpoint, used as a message duplex."""

    def __init__(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        timeout: float = 60.0,
        http: httpx.AsyncClient | None = None,
        auth: httpx.Auth | None = None,
    ) -> None:
        self.url = url
        self.session_id: str | None = None
        self.protocol_version: str | None = None
        """Sent as ``MCP-Protocol-Version``; learnt from the ``initialize`` result."""
        self._extra_headers = dict(headers or {})
        self._http = http or new_http_client(timeout, auth)
        self._own_http = http is None
        self._tool_headers: dict[str, tuple[ParamHeader, ...]] = {}
        self._pending_methods: dict[Any, str] = {}
        self._inbox_send: MemoryObjectSendStream[Message]
        self._inbox: MemoryObjectReceiveStream[Message]
        self._inbox_send, self._inbox = anyio.create_memory_object_stream[Message](math.inf)
        self._tasks: TaskGroup | None = None
        self._listening = False
        self._initialize: Message | None = None
        self._renewing = anyio.Lock()
        self._renewals = 0

    # --- duplex interface ------------------------------------------------------

    async def __aenter__(self) -> HttpClientTransport:
        self._tasks = anyio.create_task_group()
        await self._tasks.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._tasks is not None
        self._tasks.cancel_scope.cancel()
        await self._tasks.__aexit__(exc_type, exc, tb)
        self._tasks = None
        self._inbox_send.close()
        if self._own_http:
            await self._http.aclose()

    async def send(self, message: Message) -> None:
        """Send one message; whatever the server answers arrives through :meth:`receive`."""
        assert self._tasks is not None, "use 'async with HttpClientTransport(...)'"
        self._tasks.start_soon(self._deliver, message)

    async def receive(self) -> Message:
        """The next message from the server (responses, notifications, requests)."""
        return await self._inbox.receive()

    def __aiter__(self) -> AsyncIterator[Message]:
        return self._inbox.__aiter__()

    def start_listening(self) -> None:
        """Open the legacy standalone GET stream (once) for server-initiated messages."""
        assert self._tasks is not None
        if not self._listening and not revisions.is_modern(self.protocol_version):
            self._listening = True
            self._tasks.start_soon(self._listen)

    async def _deliver(self, message: Message) -> None:
        try:
            retry = False
            async for reply in self.post(message):
                if self._stale_tool_headers(message, reply):
                    retry = True
                    continue
                await self._inbox_send.send(reply)
            if retry:
                await self._refresh_tools(message)
                async for reply in self.post(message):
                    await self._inbox_send.send(reply)
            if message.get("method") == "notifications/initialized" and self.session_id:
                self.start_listening()
        except SessionExpired as expired:
            try:
                renewed = await self._renew_session(expired.session_id)
                if renewed:
                    async for reply in self.post(message):
                        await self._inbox_send.send(reply)
            except (SessionExpired, httpx.HTTPError):
                renewed = False
            if not renewed and "id" in message and "method" in message:
                await self._inbox_send.send(transport_error(message["id"], 404, "session expired"))
        except httpx.HTTPError as exc:
            if "id" in message and "method" in message:
                await self._inbox_send.send(transport_error(message["id"], 0, str(exc)))

    async def _renew_session(self, expired: str) -> bool:
        """The server forgot our session (404): start a new one with the same
        ``initialize`` the client sent, as the transport page requires, then retry."""
        async with self._renewing:
            if self.session_id is not None and self.session_id != expired:
                return True  # another request already renewed it
            if self._initialize is None:
                return False
            self._renewals += 1
            request = {**self._initialize, "id": f"renew-session-{self._renewals}"}
            replies = [reply async for reply in self.post(request)]
            if self.session_id is None or not any("result" in r for r in replies):
                return False
            async for _ in self.post({"jsonrpc": "2.0", "method": "notifications/initialized"}):
                pass
            logger.info("session expired; continuing on a new session")
            if self._listening:
                self._listening = False  # the old listener ends with its session
                self.start_listening()
            return True

    def _stale_tool_headers(self, message: Message, reply: Message) -> bool:
        """A modern ``tools/call`` refused for its ``Mcp-Param-*`` headers, which we may
        have derived from an outdated (or never fetched) tool list."""
        error = reply.get("error")
        return (
            message.get("method") == "tools/call"
            and isinstance(error, dict)
            and error.get("code") == HEADER_MISMATCH
            and "Mcp-Param" in str(error.get("message"))
            and reply.get("id") == message.get("id")
        )

    async def _refresh_tools(self, message: Message) -> None:
        """Re-read ``tools/list`` (with the failed call's ``_meta``) to learn its annotations."""
        meta = message.get("params", {}).get("_meta", {})
        cursor: str | None = None
        for page in range(100):
            params: dict[str, Any] = {"_meta": meta}
            if cursor is not None:
                params["cursor"] = cursor
            listing = {
                "jsonrpc": "2.0",
                "id": f"tools-refresh-{page}",
                "method": "tools/list",
                "params": params,
            }
            cursor = None
            async for reply in self.post(listing):
                result = reply.get("result")
                if isinstance(result, dict) and isinstance(result.get("nextCursor"), str):
                    cursor = result["nextCursor"]
            if cursor is None:
                return

    # --- one exchange -----------------------------------------------------------

    async def post(self, message: Message) -> AsyncIterator[Message]:
        """POST one message and yield every message the server sends back about it."""
        request_id = message.get("id") if "method" in message else None
        if message.get("method") == "initialize":
            self._initialize = message
        if request_id is not None:
            self._pending_methods[request_id] = str(message["method"])
        try:
            async with self._http.stream(
                "POST",
                self.url,
                content=orjson.dumps(message),
                headers=self._headers_for(message),
            ) as response:
                sent_session = self.session_id
                if response.status_code == 404 and sent_session is not None:
                    self.session_id = None
                    raise SessionExpired(sent_session)
                self._learn_session(response, message)
                kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if kind == "text/event-stream":
                    async for reply in self._read_sse(response, request_id):
                        yield reply
                elif response.status_code == 202 or request_id is None:
                    await response.aread()
                else:
                    yield await self._read_json(response, request_id)
        finally:
            if request_id is not None:
                self._pending_methods.pop(request_id, None)

    async def terminate(self) -> None:
        """End a legacy session with DELETE (405 means the server keeps sessions itself)."""
        if self.session_id is None:
            return
        response = await self._http.delete(self.url, headers=self._base_headers())
        if response.status_code not in (200, 202, 204, 404, 405):
            logger.warning("DELETE of session answered HTTP %d", response.status_code)
        self.session_id = None

    # --- internals --------------------------------------------------------------

    def _base_headers(self) -> dict[str, str]:
        headers = dict(self._extra_headers)
        if self.session_id is not None:
            headers["mcp-session-id"] = self.session_id
        if self.protocol_version is not None:
            headers["mcp-protocol-version"] = self.protocol_version
        return headers

    def _headers_for(self, message: Message) -> dict[str, str]:
        headers = self._base_headers()
        headers["accept"] = ACCEPT_BOTH
        headers["content-type"] = "application/json"
        params = message.get("params")
        meta = params.get("_meta") if isinstance(params, dict) else None
        version = meta.get(META_VERSION) if isinstance(meta, dict) else None
        if isinstance(version, str):
            headers["mcp-protocol-version"] = version
        if message.get("method") == "initialize":
            headers.pop("mcp-protocol-version", None)
        if revisions.is_modern(headers.get("mcp-protocol-version")) and "method" in message:
            tool = params.get("name") if isinstance(params, dict) else None
            tool_headers = (
                self._tool_headers.get(str(tool), ()) if message["method"] == "tools/call" else ()
            )
            headers.update(request_headers(message, tool_headers))
        return headers

    def _learn_session(self, response: httpx.Response, message: Message) -> None:
        session = response.headers.get("mcp-session-id")
        if session and message.get("method") == "initialize":
            self.session_id = session

    async def _read_json(self, response: httpx.Response, request_id: Any) -> Message:
        body = await response.aread()
        try:
            reply = orjson.loads(body)
        except orjson.JSONDecodeError:
            reply = None
        if _is_response(reply):
            if reply.get("id") is None and request_id is not None:
                reply["id"] = request_id
            return self._inspect(reply)
        return transport_error(
            request_id, response.status_code, body[:200].decode("utf-8", "replace")
        )

    async def _read_sse(self, response: httpx.Response, request_id: Any) -> AsyncIterator[Message]:
        """Read one response stream to its end, resuming it with GET if the server drops it."""
        parser = EventParser()
        answered = request_id is None
        resumes = 0
        current: httpx.Response | None = response
        while True:
            assert current is not None
            try:
                async for chunk in current.aiter_bytes():
                    for event in parser.feed(chunk):
                        if event.event != "message" or not event.data:
                            continue
                        reply = self._inspect(orjson.loads(event.data))
                        if reply.get("method") is None and reply.get("id") == request_id:
                            answered = True
                        yield reply
            except httpx.HTTPError as exc:
                logger.info("SSE stream broke: %s", exc)
            if current is not response:
                await current.aclose()
            if answered or parser.last_event_id is None or resumes >= MAX_RESUMES:
                if not answered:
                    yield transport_error(request_id, 0, "stream ended without a response")
                return
            resumes += 1
            await anyio.sleep((parser.retry_ms or 1000) / 1000)
            current = await self._resume(parser.last_event_id)
            if current is None:
                yield transport_error(request_id, 0, "could not resume the response stream")
                return

    async def _resume(self, last_event_id: str) -> httpx.Response | None:
        headers = self._base_headers()
        headers["accept"] = "text/event-stream"
        headers["last-event-id"] = last_event_id
        request = self._http.build_request("GET", self.url, headers=headers)
        response = await self._http.send(request, stream=True)
        if response.status_code != 200:
            await response.aclose()
            return None
        return response

    async def _listen(self) -> None:
        """The standalone GET stream: server requests and notifications outside any POST."""
        parser = EventParser()
        session = self.session_id
        while session is not None and self.session_id == session:
            headers = self._base_headers()
            headers["accept"] = "text/event-stream"
            if parser.last_event_id is not None:
                headers["last-event-id"] = parser.last_event_id
            try:
                async with self._http.stream("GET", self.url, headers=headers) as response:
                    if response.status_code != 200:
                        return
                    async for chunk in response.aiter_bytes():
                        for event in parser.feed(chunk):
                            if event.event == "message" and event.data:
                                await self._inbox_send.send(self._inspect(orjson.loads(event.data)))
            except httpx.HTTPError as exc:
                logger.info("standalone stream broke: %s", exc)
            await anyio.sleep((parser.retry_ms or 1000) / 1000)

    def _inspect(self, reply: Message) -> Message:
        """Learn from replies the transport itself depends on (version, tool headers)."""
        method = self._pending_methods.get(reply.get("id")) if "method" not in reply else None
        result = reply.get("result")
        if method is None or not isinstance(result, dict):
            return reply
        if method == "initialize" and isinstance(result.get("protocolVersion"), str):
            self.protocol_version = result["protocolVersion"]
        elif method == "tools/list" and isinstance(result.get("tools"), list):
            result["tools"] = [tool for tool in result["tools"] if self._accept_tool(tool)]
        return reply

    def _accept_tool(self, tool: Any) -> bool:
        """Remember a tool's ``x-mcp-header`` annotations; drop tools whose annotations are
        invalid."""
        if not isinstance(tool, dict) or not isinstance(tool.get("inputSchema"), dict):
            return True
        try:
            found = param_headers(tool["inputSchema"])
        except InvalidHeaderAnnotation as exc:
            logger.warning("dropping tool %r: %s", tool.get("name"), exc)
            return False
        self._tool_headers[str(tool.get("name"))] = found
        return True


KEEPALIVE_EXPIRY_S = 4.0
"""Idle pooled connections are dropped after this, before servers drop them (Node's and
uvicorn's default keep-alive is 5 s): reusing one the server is closing at that moment
fails the request with a bare transport error, which a slow sign-in made common."""


def new_http_client(timeout: float, auth: httpx.Auth | None) -> httpx.AsyncClient:
    """The pooled httpx client both HTTP client transports use."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout, read=None),
        auth=auth,
        limits=httpx.Limits(keepalive_expiry=KEEPALIVE_EXPIRY_S),
    )


def _is_response(reply: object) -> TypeGuard[Message]:
    """A JSON-RPC response, not any JSON with an ``error`` key: an OAuth 401 body
    (``{"error": "invalid_token"}``) is an HTTP failure, not an answer."""
    if not isinstance(reply, dict) or reply.get("jsonrpc") != "2.0":
        return False
    return "result" in reply or isinstance(reply.get("error"), dict)


def transport_error(request_id: Any, status: int, detail: str) -> Message:
    message = f"HTTP {status}: {detail}" if status else f"transport error: {detail}"
    return {
        "jsonrpc": "2.0",
        "id": request_id,
        "error": {
            "code": TRANSPORT_ERROR,
            "message": message,
            "data": {"httpStatus": status},
        },
    }


class Duplex(Protocol):
    async def send(self, message: Message) -> None: ...

    def __aiter__(self) -> AsyncIterator[Message]: ...

    async def terminate(self) -> None: ...


@asynccontextmanager
async def client_on(
    transport: Duplex,
    version: str | None,
    connect: bool,
    options: Mapping[str, Any],
    probe_timeout: float | None = 5.0,
) -> AsyncIterator[Client]:
    """A runtime client fed by ``transport``, negotiated unless ``connect`` is false."""

    async def send(message: Any, _related: Any = None) -> None:
        await transport.send(message)

    client = Client(send, **options)
    with single_errors_unwrapped():
        async with anyio.create_task_group() as group, client:

            async def pump() -> None:
                async for message in transport:
                    await client.feed(message)
                client.peer.fail_pending("the server closed the stream")

            group.start_soon(pump)
            try:
                if connect:
                    await client.connect(version, probe_timeout=probe_timeout)
                yield client
            finally:
                with anyio.CancelScope(shield=True), anyio.move_on_after(5):
                    await transport.terminate()
                group.cancel_scope.cancel()


@asynccontextmanager
async def connect_http(
    url: str,
    *,
    version: str | None = None,
    headers: Mapping[str, str] | None = None,
    auth: httpx.Auth | None = None,
    connect: bool = True,
    **client_options: Any,
) -> AsyncIterator[Client]:
    """A client on a Streamable HTTP endpoint; leaving ends a legacy session (DELETE).
    ``auth`` authorizes every request (e.g. ``mcp_foundry.runtime.http.oauth.OAuth``); the
    version probe then waits as long as any request, as it may include signing in."""
    probe_timeout = None if auth is not None else 5.0
    with single_errors_unwrapped():
        async with HttpClientTransport(url, headers=headers, auth=auth) as transport:
            async with client_on(
                transport, version, connect, client_options, probe_timeout
            ) as client:
                yield client
