"""Token endpoint requests and the tokens they return (RFC 6749 §5, RFC 9449 §5, §8).

Every grant ends here: the form is completed with the client's authentication and,
when DPoP is in use, a proof (retried once with the server's nonce after
``use_dpop_nonce``). Errors name the OAuth error code, never the request's secrets.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

import httpx
from mcp_foundry.runtime.http.oauth.client_auth import ClientInfo, authenticate
from mcp_foundry.runtime.http.oauth.dpop import DpopKey
from mcp_foundry.runtime.http.oauth.errors import AuthorizationError
from mcp_foundry.runtime.http.oauth.metadata import ServerMetadata

EXPIRY_MARGIN = 30.0
"""Renew this long before expiry (a tenth of the lifetime for short-lived tokens)."""


@dataclass(frozen=True)
class Tokens:
    access_token: str
    token_type: str = "Bearer"
    refresh_token: str | None = None
    expires_at: float | None = None
    """When to renew: a little before the server's expiry."""
    scope: str | None = None
    issuer: str | None = None
    """The authorization server that issued them."""

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and time.time() >= self.expires_at

    @property
    def scheme(self) -> str:
        return "DPoP" if self.token_type.lower() == "dpop" else "Bearer"

    def to_json(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "token_type": self.token_type,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at,
            "scope": self.scope,
            "issuer": self.issuer,
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Tokens:
        return cls(
            access_token=str(doc["access_token"]),
            token_type=str(doc.get("token_type") or "Bearer"),
            refresh_token=doc.get("refresh_token"),
            expires_at=doc.get("expires_at"),
            scope=doc.get("scope"),
            issuer=doc.get("issuer"),
        )


class DpopState:
    """The DPoP key and the nonce each server last handed out (RFC 9449 §8, §9)."""

    def __init__(self) -> None:
        self.key = DpopKey()
        self.nonces: dict[str, str] = {}


def _renew_at(expires_in: object) -> float | None:
    if not isinstance(expires_in, int | float) or isinstance(expires_in, bool):
        return None
    return time.time() + expires_in - min(EXPIRY_MARGIN, expires_in / 10)


def _parse(doc: Any, issuer: str, previous: Tokens | None) -> Tokens:
    if not isinstance(doc, dict) or not isinstance(doc.get("access_token"), str):
        raise AuthorizationError("the token endpoint answered without an access_token")
    expires_in, refresh = doc.get("expires_in"), doc.get("refresh_token")
    tokens = Tokens(
        access_token=doc["access_token"],
        token_type=str(doc.get("token_type") or "Bearer"),
        refresh_token=refresh if isinstance(refresh, str) else None,
        expires_at=_renew_at(expires_in),
        scope=doc.get("scope") if isinstance(doc.get("scope"), str) else None,
        issuer=issuer,
    )
    if previous is not None and tokens.refresh_token is None:
        tokens = replace(tokens, refresh_token=previous.refresh_token)
    return tokens


def _error(response: httpx.Response) -> tuple[str, str]:
    try:
        doc = response.json()
    except ValueError:
        doc = None
    if isinstance(doc, dict) and isinstance(doc.get("error"), str):
        return doc["error"], str(doc.get("error_description") or "")
    return "", ""


async def request_tokens(
    http: httpx.AsyncClient,
    server: ServerMetadata,
    form: dict[str, str],
    client: ClientInfo | None,
    dpop: DpopState | None,
    *,
    previous: Tokens | None = None,
) -> Tokens:
    """POST ``form`` to the token endpoint; ``previous`` keeps a refresh token the
    answer to a refresh does not rotate."""
    for _ in range(2):
        body, headers = dict(form), {"accept": "application/json"}
        if client is not None:
            authenticate(client, body, headers, server.issuer)
        if dpop is not None:
            nonce = dpop.nonces.get(server.token_endpoint)
            headers["dpop"] = dpop.key.proof("POST", server.token_endpoint, nonce=nonce)
        response = await http.post(server.token_endpoint, data=body, headers=headers)
        if response.status_code == 200:
            return _parse(response.json(), server.issuer, previous)
        error, description = _error(response)
        fresh_nonce = response.headers.get("dpop-nonce")
        if dpop is not None and error == "use_dpop_nonce" and fresh_nonce:
            if fresh_nonce == dpop.nonces.get(server.token_endpoint):
                break
            dpop.nonces[server.token_endpoint] = fresh_nonce
            continue
        break
    detail = f": {error}" + (f" ({description})" if description else "") if error else ""
    raise AuthorizationError(
        f"token request ({form.get('grant_type')}) failed with HTTP {response.status_code}{detail}"
    )
