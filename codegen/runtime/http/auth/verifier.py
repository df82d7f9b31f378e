"""The ``TokenVerifier`` interface every bearer check goes through.

A verifier turns a presented token into the :class:`AccessToken` it vouches for, or
raises :class:`InvalidToken`. Its ``reason`` is one of a few fixed phrases written by
the verifier (it reaches the client as ``error_description``), never token content.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, runtime_checkable

from mcp_foundry.runtime.access import AccessToken
from mcp_foundry.runtime.http.auth.metadata import InvalidResource, canonical_resource


class InvalidToken(Exception):
    """The token is not one this server accepts (→ 401 ``invalid_token``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@runtime_checkable
class TokenVerifier(Protocol):
    async def verify(self, token: str) -> AccessToken:
        """The verified claims, or :class:`InvalidToken`."""
        ...


def audience_matches(aud: Any, resource: str) -> bool:
    """``aud`` (a string or a list of them) names ``resource`` (RFC 8707, RFC 7519 §4.1.3)."""
    values: Iterable[Any] = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
    for value in values:
        try:
            if isinstance(value, str) and canonical_resource(value) == resource:
                return True
        except InvalidResource:
            continue
    return False


def scopes_of(claims: dict[str, Any]) -> frozenset[str]:
    """Granted scopes: ``scope`` (space-separated, RFC 9068/7662) or an ``scp`` list."""
    scope = claims.get("scope")
    if isinstance(scope, str):
        return frozenset(scope.split())
    scp = claims.get("scp")
    if isinstance(scp, list):
        return frozenset(s for s in scp if isinstance(s, str))
    return frozenset()


def access_from(claims: dict[str, Any]) -> AccessToken:
    subject, exp = claims.get("sub"), claims.get("exp")
    client_id = claims.get("client_id", claims.get("azp"))  # RFC 9068; OIDC-style servers: azp
    return AccessToken(
        subject=subject if isinstance(subject, str) else None,
        client_id=client_id if isinstance(client_id, str) else None,
        scopes=scopes_of(claims),
        expires_at=int(exp) if isinstance(exp, int | float) else None,
        claims=claims,
    )
