"""Raw ASGI plumbing the endpoint needs: headers, bounded bodies, small responses.

The MCP endpoint is a plain ASGI callable rather than a starlette view so the hot path
(one small JSON POST, one small JSON answer) builds no request/response objects.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from functools import lru_cache
from typing import Any

from mcp_foundry.runtime import wire

Scope = MutableMapping[str, Any]
ASGIMessage = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[ASGIMessage]]
Send = Callable[[ASGIMessage], Awaitable[None]]
RawHeaders = list[tuple[bytes, bytes]]

JSON_HEADERS: RawHeaders = [(b"content-type", b"application/json")]
RETRY_AFTER_S = 5
"""What a request refused for now (503: the server stops, the shared store is out of
reach) is told to wait before trying again (``Retry-After``)."""
RETRY_AFTER: RawHeaders = [(b"retry-after", b"%d" % RETRY_AFTER_S)]
SSE_HEADERS: RawHeaders = [
    (b"content-type", b"text/event-stream"),
    (b"cache-control", b"no-cache, no-transform"),
    (b"x-accel-buffering", b"no"),
]


_NAMES: dict[bytes, str] = {}
"""Header names already decoded and lower-cased: clients repeat the same few on every
request. Bounded, so a client inventing names cannot grow it."""
MAX_NAMES = 512


def header_map(scope: Scope) -> dict[str, str]:
    """Lower-cased names to values; repeated headers are joined with ``, `` (RFC 9110)."""
    headers: dict[str, str] = {}
    names = _NAMES
    for raw_name, raw_value in scope["headers"]:
        name = names.get(raw_name)
        if name is None:
            name = raw_name.decode("latin-1").lower()
            if len(names) < MAX_NAMES:
                names[raw_name] = name
        value = raw_value.decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


async def respond(
    send: Send, status: int, body: bytes = b"", headers: RawHeaders | None = None
) -> None:
    """A complete response with a fixed body (in one message, so the server frames it
    with ``Content-Length``)."""
    await send({"type": "http.response.start", "status": status, "headers": headers or ()})
    await send({"type": "http.response.body", "body": body})


async def respond_error(
    send: Send,
    status: int,
    code: int,
    message: str,
    request_id: Any = None,
    data: Any = None,
    headers: RawHeaders | None = None,
) -> None:
    """A JSON-RPC error response with an HTTP error status."""
    error: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        error["data"] = data
    body = wire.encode({"jsonrpc": "2.0", "id": request_id, "error": error})
    await respond(send, status, body, [*JSON_HEADERS, *(headers or ())])


def media_types(value: str | None) -> set[str]:
    """The media types listed in an ``Accept``-style header, parameters dropped."""
    if not value:
        return set()
    return {part.split(";")[0].strip().lower() for part in value.split(",")}


@lru_cache(maxsize=64)
def accepts(accept: str | None, wanted: str) -> bool:
    """Whether an ``Accept`` header admits ``wanted`` (exactly or by wildcard)."""
    types = media_types(accept)
    family = wanted.split("/")[0] + "/*"
    return wanted in types or family in types or "*/*" in types


def json_headers(status: int) -> RawHeaders:
    """The headers of a JSON answer with ``status``: a 503 says when to retry."""
    return [*JSON_HEADERS, *RETRY_AFTER] if status == 503 else JSON_HEADERS
