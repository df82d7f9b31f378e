"""RFC 7662 token introspection: ask the authorization server about each token.

For opaque tokens (or to see revocations at once). The AS must answer ``active: true``
and name this server in ``aud``; ``exp`` and ``nbf``, when given, are checked too, and
``iss`` when an issuer is configured.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import httpx
from mcp_foundry.runtime.access import AccessToken
from mcp_foundry.runtime.http.auth.metadata import canonical_resource
from mcp_foundry.runtime.http.auth.verifier import InvalidToken, access_from, audience_matches

log = logging.getLogger("mcp_foundry.runtime.http.auth")


class IntrospectionVerifier:
    """Verify tokens at the AS's introspection endpoint, authenticating as this server."""

    def __init__(
        self,
        *,
        endpoint: str,
        audience: str,
        client_id: str,
        client_secret: str,
        issuer: str | None = None,
        leeway_s: int = 30,
        timeout_s: float = 5.0,
    ) -> None:
        self.endpoint = endpoint
        self.audience = canonical_resource(audience)
        self.issuer = issuer
        self.leeway_s = leeway_s
        self._auth = httpx.BasicAuth(client_id, client_secret)
        self._timeout = timeout_s
        self._http: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def verify(self, token: str) -> AccessToken:
        claims = await self._introspect(token)
        if claims.get("active") is not True:
            raise InvalidToken("token inactive")
        now = time.time()
        exp, nbf = claims.get("exp"), claims.get("nbf")
        if isinstance(exp, int | float) and exp <= now - self.leeway_s:
            raise InvalidToken("token expired")
        if isinstance(nbf, int | float) and nbf > now + self.leeway_s:
            raise InvalidToken("token not yet valid")
        if self.issuer is not None and claims.get("iss") != self.issuer:
            raise InvalidToken("token from an untrusted issuer")
        if not audience_matches(claims.get("aud"), self.audience):
            raise InvalidToken("token not issued for this resource")
        return access_from(claims)

    async def _introspect(self, token: str) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        if self._http is None or self._loop is not loop:  # one pooled client per event loop
            self._http = httpx.AsyncClient(timeout=self._timeout, auth=self._auth)
            self._loop = loop
        try:
            response = await self._http.post(
                self.endpoint,
                data={"token": token, "token_type_hint": "access_token"},
                headers={"accept": "application/json"},
            )
            response.raise_for_status()
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("token introspection at %s failed: %s", self.endpoint, type(exc).__name__)
            raise InvalidToken("token could not be checked") from None
        if not isinstance(body, dict):
            raise InvalidToken("token could not be checked")
        return body

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None
