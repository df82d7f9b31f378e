"""Who is calling: the verified access token of the current HTTP request.

A neutral module (no HTTP, no crypto) so the runtime core, the HTTP auth layer and the
authoring ``ctx`` share one type. The auth layer sets :data:`current_access` around the
request it admitted; the transport copies it into that request's ``TransportFacts``, so
a legacy session's later requests each carry their own token, never the first one's.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from types import MappingProxyType
from typing import Any, NamedTuple


class AccessToken(NamedTuple):
    """The claims a verifier vouched for. The token string itself is never kept.

    A named tuple: a frozen dataclass's generated methods cost every server's start."""

    subject: str | None
    client_id: str | None
    scopes: frozenset[str]
    expires_at: int | None = None
    claims: Mapping[str, Any] = MappingProxyType({})
    """Every verified claim (JWT payload or introspection answer); not shown by ``repr``
    so a logged token object does not spill them."""

    def has(self, scopes: frozenset[str]) -> bool:
        return scopes <= self.scopes

    def __repr__(self) -> str:
        return (
            f"AccessToken(subject={self.subject!r}, client_id={self.client_id!r}, "
            f"scopes={self.scopes!r}, expires_at={self.expires_at!r})"
        )


Owner = tuple[str | None, str | None]
"""Who a legacy session belongs to: the subject and client of the token that opened it."""


def owner_of(access: AccessToken) -> Owner:
    """The owner a request's token makes."""
    return (access.subject, access.client_id)


current_access: ContextVar[AccessToken | None] = ContextVar("mcp_access", default=None)
