"""What every HTTP request passes before any MCP logic sees it: the DNS-rebinding
guard, then (for POSTs) a JSON body of bounded size. Shared by the Streamable HTTP
endpoint and the deprecated HTTP+SSE pair so both refuse bad input the same way."""

from __future__ import annotations

from typing import Any

from mcp_foundry.runtime import wire
from mcp_foundry.runtime.errors import INVALID_REQUEST, RpcError
from mcp_foundry.runtime.http import asgi
from mcp_foundry.runtime.http.asgi import Receive, Scope, Send
from mcp_foundry.runtime.http.security import HostPolicy

JSON = "application/json"
REFUSED = object()
"""Returned by :func:`read_message` once it has answered the request itself."""


async def admit(scope: Scope, send: Send, hosts: HostPolicy) -> dict[str, str] | None:
    """The request's headers, or ``None`` after refusing a foreign Origin (403) or Host (421)."""
    headers = asgi.header_map(scope)
    if not hosts.origin_ok(headers.get("origin")):
        await asgi.respond_error(send, 403, INVALID_REQUEST, "Forbidden: Origin not allowed")
        return None
    if not hosts.host_ok(headers.get("host")):
        await asgi.respond_error(
            send, 421, INVALID_REQUEST, "Misdirected request: Host not allowed"
        )
        return None
    return headers


async def read_message(receive: Receive, send: Send, headers: dict[str, str], limit: int) -> Any:
    """The decoded JSON body, or :data:`REFUSED` after answering 415, 413 or 400."""
    content_type = headers.get("content-type", "")
    if content_type != JSON and content_type.split(";")[0].strip().lower() != JSON:
        await asgi.respond_error(
            send,
            415,
            INVALID_REQUEST,
            "Unsupported Media Type: Content-Type must be application/json",
        )
        return REFUSED
    try:
        body = await asgi.read_body(receive, headers, limit)
    except asgi.BodyTooLarge:
        await asgi.respond_error(send, 413, INVALID_REQUEST, f"Request body over {limit} bytes")
        return REFUSED
    except asgi.ClientGone:
        return REFUSED
    try:
        return wire.decode(body)
    except RpcError as exc:
        await asgi.respond_error(send, 400, exc.code, exc.message, wire.refused_id(exc))
        return REFUSED


async def classify(send: Send, message: Any) -> str | None:
    """``request``, ``notification`` or ``response``; ``None`` after answering 400 for
    anything that is not one JSON-RPC message (echoing its id when readable)."""
    try:
        return wire.check_envelope(message)
    except RpcError as exc:
        await asgi.respond_error(send, 400, exc.code, exc.message, wire.readable_id(message))
        return None
