"""DPoP proofs (RFC 9449): one key pair per client, a fresh signed proof per request.

Signing is PyJWT's (ES256 over a ``cryptography`` P-256 key); this module only
chooses the claims: ``htm``/``htu`` bind the proof to the request, ``ath`` to the access
token presented with it, ``nonce`` echoes a server-provided nonce (§8, §9).
"""

from __future__ import annotations

import hashlib
import time
import uuid
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm
from mcp_foundry.runtime.http.oauth.pkce import b64url

ALGORITHM = "ES256"


def _htu(url: str) -> str:
    """The request URI without query and fragment (§4.2)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


class DpopKey:
    """An ephemeral P-256 key that access tokens get bound to."""

    def __init__(self) -> None:
        self._key = ec.generate_private_key(ec.SECP256R1())
        public: Any = ECAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
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
        headers = {"typ": "dpop+jwt", "jwk": self.public_jwk}
        return jwt.encode(claims, self._key, algorithm=ALGORITHM, headers=headers)
