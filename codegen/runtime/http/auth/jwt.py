"""JWT access tokens (RFC 9068) checked against the authorization server's JWKS.

Signatures are verified by joserfc; we only decide which keys and claims to trust:
the signing key must come from the AS's JWKS (fetched, cached, and fetched again when
a token names a key id we have not seen, at most every ``min_refresh_s``), ``iss`` must
be the AS, ``aud`` this server's canonical URI, ``exp``/``nbf`` hold within ``leeway_s``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from typing import Any

import httpx
from joserfc import jwt
from joserfc.errors import BadSignatureError, ExpiredTokenError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from mcp_foundry.runtime.access import AccessToken
from mcp_foundry.runtime.http.auth.metadata import canonical_resource
from mcp_foundry.runtime.http.auth.verifier import InvalidToken, access_from, audience_matches

log = logging.getLogger("mcp_foundry.runtime.http.auth")

ASYMMETRIC = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA")
"""Public-key algorithms only: an HMAC token "signed" with a public key is refused."""


class JwtVerifier:
    """Verify JWT access tokens locally with the AS's published keys."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        jwks_uri: str,
        algorithms: Iterable[str] = ASYMMETRIC,
        leeway_s: int = 30,
        min_refresh_s: float = 30.0,
        timeout_s: float = 5.0,
    ) -> None:
        self.issuer = issuer
        self.audience = canonical_resource(audience)
        self.jwks_uri = jwks_uri
        self.algorithms = list(algorithms)
        self.leeway_s = leeway_s
        self.min_refresh_s = min_refresh_s
        self.timeout_s = timeout_s
        self._keys: KeySet | None = None
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()

    @classmethod
    def discover(cls, *, issuer: str, audience: str, **options: Any) -> JwtVerifier:
        """A verifier for ``issuer``'s tokens, its ``jwks_uri`` read from the AS's RFC 8414
        metadata (fetched now, once; the document must name the same issuer)."""
        url = f"{issuer.rstrip('/')}/.well-known/oauth-authorization-server"
        response = httpx.get(url, timeout=options.get("timeout_s", 5.0))
        response.raise_for_status()
        document = response.json()
        if document.get("issuer") != issuer or not isinstance(document.get("jwks_uri"), str):
            raise ValueError(f"{url} does not describe issuer {issuer!r} with a jwks_uri")
        return cls(issuer=issuer, audience=audience, jwks_uri=document["jwks_uri"], **options)

    async def verify(self, token: str) -> AccessToken:
        decoded = await self._decode(token)
        claims: dict[str, Any] = dict(decoded.claims)
        registry = jwt.JWTClaimsRegistry(
            leeway=self.leeway_s,
            iss={"essential": True, "value": self.issuer},
            exp={"essential": True},
        )
        try:
            registry.validate(claims)
        except ExpiredTokenError:
            raise InvalidToken("token expired") from None
        except JoseError as exc:
            raise InvalidToken(_claim_problem(exc)) from None
        if not audience_matches(claims.get("aud"), self.audience):
            raise InvalidToken("token not issued for this resource")
        return access_from(claims)

    async def _decode(self, token: str) -> jwt.Token:
        """Check the signature with the cached keys; a key id they lack triggers one refetch."""
        for refresh in (False, True):
            keys = await self._key_set(refresh)
            try:
                return jwt.decode(token, keys, algorithms=self.algorithms)
            except InvalidKeyIdError:
                continue
            except BadSignatureError:
                raise InvalidToken("bad signature") from None
            except (JoseError, ValueError, TypeError):
                raise InvalidToken("malformed token") from None
        raise InvalidToken("unknown signing key")

    async def _key_set(self, refresh: bool) -> KeySet:
        """The cached JWKS; fetched first time, and again on ``refresh`` once due (so
        tokens naming made-up key ids cannot make us hammer the AS)."""
        async with self._lock:
            due = time.monotonic() - self._fetched_at >= self.min_refresh_s
            if (self._keys is None or refresh) and due:
                await self._fetch()
            if self._keys is None:
                raise InvalidToken("signing keys unavailable")
            return self._keys

    async def _fetch(self) -> None:
        self._fetched_at = time.monotonic()
        try:
            async with httpx.AsyncClient(timeout=self.timeout_s) as http:
                response = await http.get(self.jwks_uri, headers={"accept": "application/json"})
            response.raise_for_status()
            self._keys = KeySet.import_key_set(response.json())
        except (httpx.HTTPError, ValueError, JoseError) as exc:
            log.warning("could not fetch the JWKS from %s: %s", self.jwks_uri, type(exc).__name__)


def _claim_problem(exc: JoseError) -> str:
    """A fixed phrase for a failed claim check (the exception text may quote claims)."""
    name = getattr(exc, "claim", None)
    if name == "iss":
        return "token from an untrusted issuer"
    if name == "nbf":
        return "token not yet valid"
    return "token claims invalid"
