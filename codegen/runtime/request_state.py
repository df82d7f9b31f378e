"""Integrity-protected ``requestState`` for multi round-trip requests (mrtr.mdx).

The state travels through the client, so it is sealed with HMAC-SHA256 and bound to what
the mrtr page asks for: the method plus a digest of the request's salient params (so it
cannot be replayed on another request), the authenticated principal when the transport
has one, and a short expiry. Anything that fails verification is ``-32602``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import time
from typing import Any

import orjson
from mcp_foundry.runtime.errors import INVALID_PARAMS, RpcError

_SALIENT_EXCLUDED = ("_meta", "inputResponses", "requestState")


def request_digest(method: str, params: dict[str, Any] | None) -> str:
    """What identifies "the same request" across rounds: method + params minus the
    round-specific keys."""
    salient = {k: v for k, v in (params or {}).items() if k not in _SALIENT_EXCLUDED}
    body = orjson.dumps([method, salient], option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(body).hexdigest()[:32]


class StateSealer:
    """Seals and opens request state with one server-held secret."""

    def __init__(self, secret: bytes | None = None, ttl: float = 600.0) -> None:
        self._secret = secret or os.urandom(32)
        self.ttl = ttl

    def seal(self, payload: dict[str, Any], *, digest: str, principal: str | None) -> str:
        body = orjson.dumps(
            {
                "p": payload,
                "d": digest,
                "u": principal,
                "x": time.time() + self.ttl,
                "n": os.urandom(6).hex(),
            }
        )
        mac = hmac.new(self._secret, body, hashlib.sha256).digest()
        return _b64(body) + "." + _b64(mac)

    def open(self, token: object, *, digest: str, principal: str | None) -> dict[str, Any]:
        invalid = RpcError(
            INVALID_PARAMS, "Invalid or expired requestState", {"field": "params.requestState"}
        )
        if not isinstance(token, str) or token.count(".") != 1:
            raise invalid
        body_part, mac_part = token.split(".")
        try:
            body, mac = _unb64(body_part), _unb64(mac_part)
        except ValueError:
            raise invalid from None
        if not hmac.compare_digest(mac, hmac.new(self._secret, body, hashlib.sha256).digest()):
            raise invalid
        sealed = orjson.loads(body)
        if sealed["d"] != digest or sealed["u"] != principal or sealed["x"] < time.time():
            raise invalid
        payload: dict[str, Any] = sealed["p"]
        return payload


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise ValueError("bad base64") from exc
