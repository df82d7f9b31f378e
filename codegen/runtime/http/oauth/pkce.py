"""PKCE with S256 (RFC 7636 §4): a random verifier and its SHA-256 challenge."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class Pkce:
    verifier: str
    challenge: str
    method: str = "S256"

    @classmethod
    def new(cls) -> Pkce:
        verifier = secrets.token_urlsafe(64)[:96]
        return cls(verifier, b64url(hashlib.sha256(verifier.encode("ascii")).digest()))
