"""How the client authenticates at the token endpoint (RFC 6749 §2.3, RFC 7523 §2.2).

``client_secret_basic`` (form-urlencoded id and secret in HTTP Basic, RFC 6749
§2.3.1), ``client_secret_post`` (both in the form), ``none`` (only ``client_id``), and
``private_key_jwt`` (a short-lived assertion signed with the client's key, audience the
authorization server's issuer).
"""

from __future__ import annotations

import base64
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from joserfc import jwt
from joserfc.errors import UnsupportedAlgorithmError
from joserfc.jwk import JWKRegistry, Key
from joserfc.jws import JWSRegistry
from mcp_foundry.runtime.http.oauth.errors import AuthorizationError

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_LIFETIME = 300
PRIVATE_KEY_TYPES = ("RSA", "EC", "OKP")


@dataclass(frozen=True)
class ClientInfo:
    """A client as one authorization server knows it."""

    client_id: str
    client_secret: str | None = None
    auth_method: str | None = None
    """``None``: the best the server supports for this client (see :func:`pick_method`)."""
    issuer: str | None = None
    """The authorization server it is registered with; ``None``: any (pre-registered)."""
    private_key: str | None = None
    """PEM private key for ``private_key_jwt``."""
    signing_algorithm: str = "ES256"

    def to_json(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "auth_method": self.auth_method,
            "issuer": self.issuer,
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> ClientInfo:
        return cls(
            client_id=str(doc["client_id"]),
            client_secret=doc.get("client_secret"),
            auth_method=doc.get("auth_method"),
            issuer=doc.get("issuer"),
        )


def pick_method(secret: str | None, supported: list[str]) -> str:
    """For a client with (or without) a secret, the method the server supports."""
    if secret is None:
        return "none"
    for method in ("client_secret_basic", "client_secret_post"):
        if method in supported:
            return method
    return "none" if "none" in supported else "client_secret_basic"


def signing_key(pem: str, algorithm: str) -> Key:
    """The client's PEM private key as a joserfc key of the type ``algorithm`` signs with.

    Only asymmetric algorithms: ``none`` and the HMAC ones (a shared secret, not a private
    key) are refused rather than signing with the PEM text as a secret."""
    alg = JWSRegistry.algorithms.get(algorithm)
    if alg is None or alg.key_type not in PRIVATE_KEY_TYPES:
        raise UnsupportedAlgorithmError(f"private_key_jwt cannot sign with '{algorithm}'")
    return JWKRegistry.import_key(pem, alg.key_type)


def authenticate(
    client: ClientInfo, form: dict[str, str], headers: dict[str, str], audience: str
) -> None:
    """Add ``client``'s authentication to a token request's form and headers."""
    method = client.auth_method
    if method == "client_secret_basic" and client.client_secret is not None:
        pair = f"{quote(client.client_id, safe='')}:{quote(client.client_secret, safe='')}"
        headers["authorization"] = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
    elif method == "client_secret_post" and client.client_secret is not None:
        form["client_id"] = client.client_id
        form["client_secret"] = client.client_secret
    elif method == "private_key_jwt":
        if client.private_key is None:
            raise AuthorizationError("private_key_jwt needs the client's private key")
        now = int(time.time())
        claims = {
            "iss": client.client_id,
            "sub": client.client_id,
            "aud": audience,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME,
            "jti": str(uuid.uuid4()),
        }
        form["client_assertion_type"] = ASSERTION_TYPE
        algorithm = client.signing_algorithm
        form["client_assertion"] = jwt.encode(
            {"alg": algorithm},
            claims,
            signing_key(client.private_key, algorithm),
            algorithms=[algorithm],
        )
    else:
        form["client_id"] = client.client_id
