"""DPoP proofs (RFC 9449): one key pair per client, a fresh signed proof per request.

Signing is joserfc's (ES256 over a P-256 ``ECKey``); this module only
chooses the claims: ``htm``/``htu`` bind the proof to the request, ``ath`` to the access
token presented with it, ``nonce`` echoes a server-provided nonce (§8, §9).
"""

from __future__ import annotations

import hashlib
import time
import uuid
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from joserfc import jwt
from joserfc.jwk import ECKey
from mcp_foundry.runtime.http.oauth.pkce import b64url

ALGORITHM = "ES256"


def _htu(url: str) -> str:
    """The request URI without query and fragment (§4.2)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


class DpopKey:
    """An ephemeral P-256 key that access tokens get bound to."""

    def __init__(self) -> None:
        self._key = ECKey.generate_key("P-256")
        public: Any = self._key.as_dict(private=False)
        self.public_jwk: dict[str, Any] = {k: public[k] for k in ("kty", "crv", "x", "y")}

    def proof(
        self, method: str, url: str, *, nonce: str | None = None, access_token: str | None = None
    ) -> str:
        claims: dict[str, Any] = {
            "jti": str(uuid.uuid4()),
            "htm": method.upper(),
            "htu": _htu(url),
            "iat": int(time.time()),
        }
        if nonce is not None:
            claims["nonce"] = nonce
        if access_token is not None:
            claims["ath"] = b64url(hashlib.sha256(access_token.encode("ascii")).digest())
        header = {"typ": "dpop+jwt", "alg": ALGORITHM, "jwk": self.public_jwk}
        return jwt.encode(header, claims, self._key, algorithms=[ALGORITHM])
