"""What every HTTP request passes before any MCP logic sees it: the DNS-rebinding
guard, then (for POSTs) a JSON body of bounded size. Shared by the Streamable HTTP
endpoint and the deprecated HTTP+SSE pair so both refuse bad input the same way."""

from __future__ import annotations

from typing import Any

from mcp_foundry.runtime import wire
from mcp_foundry.runtime.errors import INVALID_REQUEST, RpcError
from mcp_foundry.runtime.http import asgi
from mcp_foundry.runtime.http.asgi import Receive, Send
from mcp_foundry.runtime.http.security import HostPolicy

JSON = "application/json"
REFUSED = object()
"""Returned by :func:`read_message` once it has answered the request itself."""


def refusal(headers: dict[str, str], hosts: HostPolicy) -> tuple[int, int, str] | None:
    """Why a request from a foreign Origin (403) or Host (421) is refused, as the
    ``status, code, message`` of :func:`asgi.respond_error`; ``None`` to admit it (a
    plain check: the common case awaits nothing)."""
    if not hosts.origin_ok(headers.get("origin")):
        return 403, INVALID_REQUEST, "Forbidden: Origin not allowed"
    if not hosts.host_ok(headers.get("host")):
        return 421, INVALID_REQUEST, "Misdirected request: Host not allowed"
    return None


async def read_message(receive: Receive, send: Send, headers: dict[str, str], limit: int) -> Any:
    """The decoded JSON body, or :data:`REFUSED` after answering 415, 413 or 400 (a body
    over ``limit`` is refused as soon as ``Content-Length`` or the bytes read say so)."""
    content_type = headers.get("content-type", "")
    if content_type != JSON and content_type.split(";")[0].strip().lower() != JSON:
        await asgi.respond_error(
            send,
            415,
            INVALID_REQUEST,
            "Unsupported Media Type: Content-Type must be application/json",
        )
        return REFUSED
    declared = headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return await _too_large(send, limit)
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return REFUSED  # the client left before sending it all
        chunk = message.get("body", b"")
        if chunk:
            size += len(chunk)
            if size > limit:
                return await _too_large(send, limit)
            chunks.append(chunk)
        if not message.get("more_body", False):
            break
    try:
        return wire.decode(chunks[0] if len(chunks) == 1 else b"".join(chunks))
    except RpcError as exc:
        await asgi.respond_error(send, 400, exc.code, exc.message, wire.refused_id(exc))
        return REFUSED


async def _too_large(send: Send, limit: int) -> object:
    await asgi.respond_error(send, 413, INVALID_REQUEST, f"Request body over {limit} bytes")
    return REFUSED


def classify(message: Any) -> str | RpcError:
    """``request``, ``notification`` or ``response``; for anything that is not one
    JSON-RPC message, the error to answer with :func:`refuse_envelope` (a plain check:
    the common case awaits nothing)."""
    try:
        return wire.check_envelope(message)
    except RpcError as exc:
        return exc


async def refuse_envelope(send: Send, error: RpcError, message: Any) -> None:
    """400 for a body that is not one JSON-RPC message (echoing its id when readable)."""
    await asgi.respond_error(send, 400, error.code, error.message, wire.readable_id(message))
