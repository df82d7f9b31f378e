"""The ASGI layer in front of a protected server's HTTP face.

It answers the protected-resource metadata itself and admits every other request only
with a valid bearer token in the ``Authorization`` header: none → 401, a bad one → 401
``invalid_token``, too few scopes for the server or for the message → 403
``insufficient_scope`` naming all the scopes needed. The admitted token's claims are
set in :data:`~mcp_foundry.runtime.access.current_access` for the transport to pass on
(whose sessions each answer only the caller who opened them: ``HttpSession.owned_by_caller``).
Both eras' Streamable HTTP and the deprecated HTTP+SSE pair sit behind it alike.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import orjson
from mcp_foundry.runtime.access import current_access
from mcp_foundry.runtime.http import asgi, inbound
from mcp_foundry.runtime.http.asgi import ASGIMessage, Receive, Scope, Send
from mcp_foundry.runtime.http.auth.challenge import challenge
from mcp_foundry.runtime.http.auth.settings import ResourceServerAuth
from mcp_foundry.runtime.http.auth.verifier import InvalidToken
from mcp_foundry.runtime.http.security import HostPolicy

METADATA_HEADERS = [
    (b"content-type", b"application/json"),
    (b"access-control-allow-origin", b"*"),
    (b"cache-control", b"max-age=300"),
]


class AuthLayer:
    """Wraps an ASGI app (our ``McpHttpApp``) so only authorized requests reach it."""

    def __init__(
        self,
        inner: Any,
        auth: ResourceServerAuth,
        hosts: HostPolicy,
        max_body_bytes: int,
    ) -> None:
        self.inner = inner
        self.auth = auth
        self.hosts = hosts
        self.max_body_bytes = max_body_bytes
        self.metadata_body = orjson.dumps(auth.metadata.document())
        self.url = auth.metadata.metadata_url

    @property
    def state(self) -> Any:
        """The inner app's state (``serve`` finds the stream stopper there)."""
        return self.inner.state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.inner(scope, receive, send)
            return
        if scope["path"] in self.auth.metadata.paths:
            await self._metadata(scope, send)
            return
        headers = asgi.header_map(scope)
        refused = inbound.refusal(headers, self.hosts)
        if refused is not None:
            await asgi.respond_error(send, *refused)
            return
        required = self.auth.required_scopes
        if _query_token(scope):
            description = "access tokens are not accepted in the query string"
            await challenge(send, self.url, required, "invalid_request", description)
            return
        token = _bearer(headers.get("authorization"))
        if token is None:
            await challenge(send, self.url, required, description="authorization required")
            return
        try:
            access = await self.auth.verifier.verify(token)
        except InvalidToken as exc:
            await challenge(send, self.url, required, "invalid_token", exc.reason)
            return
        needed = required
        if self.auth.scope_policy is not None and scope["method"] == "POST":
            body, more, receive = await _buffer(receive, self.max_body_bytes)
            if not more:
                needed = needed | self._needed(body)
        if not access.has(needed):
            description = "additional scope required"
            await challenge(send, self.url, needed, "insufficient_scope", description)
            return
        reset = current_access.set(access)
        try:
            await self.inner(scope, receive, send)
        finally:
            current_access.reset(reset)

    def _needed(self, body: bytes) -> frozenset[str]:
        """Every scope the message (or batch) in ``body`` calls for; unreadable bodies
        need none here and are refused by the endpoint as usual."""
        policy = self.auth.scope_policy
        assert policy is not None
        try:
            message = orjson.loads(body)
        except orjson.JSONDecodeError:
            return frozenset()
        items = message if isinstance(message, list) else [message]
        needed: set[str] = set()
        for item in items:
            if isinstance(item, dict):
                needed.update(policy(item))
        return frozenset(needed)

    async def _metadata(self, scope: Scope, send: Send) -> None:
        if scope["method"] not in ("GET", "HEAD"):
            await asgi.respond(send, 405, headers=[(b"allow", b"GET, HEAD")])
            return
        body = self.metadata_body if scope["method"] == "GET" else b""
        await asgi.respond(send, 200, body, METADATA_HEADERS)


def _query_token(scope: Scope) -> bool:
    """A token in the URI (RFC 6750 §2.3) is refused unread: MCP forbids that channel."""
    query = scope.get("query_string", b"").decode("latin-1")
    return any(name == "access_token" for name, _ in parse_qsl(query, keep_blank_values=True))


def _bearer(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header (scheme case-insensitive)."""
    if authorization is None:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        return None
    return token


async def _buffer(receive: Receive, limit: int) -> tuple[bytes, bool, Receive]:
    """Read the body up to ``limit`` bytes; returns it, whether more is still unread,
    and a ``receive`` that replays it to the endpoint before reading on."""
    chunks: list[bytes] = []
    size = 0
    more = True
    while more and size <= limit:
        message = await receive()
        if message["type"] != "http.request":
            return b"", True, _replay([message], receive)
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        more = bool(message.get("more_body", False))
    body = b"".join(chunks)
    replayed: ASGIMessage = {"type": "http.request", "body": body, "more_body": more}
    return body, more, _replay([replayed], receive)


def _replay(pending: list[ASGIMessage], receive: Receive) -> Receive:
    async def again() -> ASGIMessage:
        return pending.pop(0) if pending else await receive()

    return again
