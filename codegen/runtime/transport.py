"""What a transport needs from the runtime, and nothing more: the facts it hands in with
each request, the sink answers come out of, the HTTP status of a modern answer, and the
methods that are streams by design. Transports import this module rather than the
server's or the engine's internals."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple, Protocol

from mcp_foundry.runtime.access import AccessToken
from mcp_foundry.runtime.errors import (
    HEADER_MISMATCH,
    INTERNAL_ERROR,
    INVALID_PARAMS,
    STORE_UNAVAILABLE,
)
from mcp_foundry.runtime.wire import RequestId

Sink = Callable[[Any, "RequestId | None"], Awaitable[None]]
"""Where every outgoing message goes, with the inbound request it relates to."""

LONG_LIVED = frozenset({"subscriptions/listen"})
"""Requests that are streams by design: the per-request timeout does not apply."""


class TransportFacts(NamedTuple):
    """What the transport knows about one request, already checked by it (a tuple: one
    is made per HTTP request, and a frozen dataclass costs several times more)."""

    transport: str = "stdio"
    protocol_version_header: str | None = None
    """``MCP-Protocol-Version`` as received (HTTP); compared with ``_meta`` → -32020."""
    headers: Mapping[str, str] = MappingProxyType({})
    principal: str | None = None
    """The authenticated principal, bound into sealed ``requestState``."""
    access: AccessToken | None = None
    """The verified bearer token's claims (protected HTTP servers; ``ctx.auth``)."""


STDIO = TransportFacts()


def error_status(response: Mapping[str, Any] | None) -> int:
    """The HTTP status a modern response should travel with (contract §2.2, trap 3)."""
    if not response or "error" not in response:
        return 200
    code = response["error"].get("code")
    if code == -32601:
        return 404
    if code == STORE_UNAVAILABLE:
        return 503
    if code in (INVALID_PARAMS, HEADER_MISMATCH, -32021, -32022, -32600, -32700):
        return 400
    return 500 if code == INTERNAL_ERROR else 400


class SessionFanout(Protocol):
    """Reaches every legacy session of every instance (HTTP sessions kept in a shared
    store); set as ``Server.legacy_fanout`` by the transport that keeps them."""

    async def notify_all(self, method: str, params: dict[str, Any] | None) -> None:
        """One notification to every initialized session's standalone stream."""
        ...

    async def notify_subscribers(
        self, uri: str, method: str, params: dict[str, Any] | None
    ) -> None:
        """One notification to every session subscribed to ``uri``."""
        ...
