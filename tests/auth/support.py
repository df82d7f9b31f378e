"""A protected notes server on 127.0.0.1 next to a local authorization server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from mcp_foundry.runtime.http import HttpConfig
from mcp_foundry.runtime.http.auth import JwtVerifier, ResourceServerAuth, TokenVerifier
from mcp_foundry.testing.authorization_server import AuthorizationServer
from mcp_foundry.testing.loopback import serving

from .notes_app import app

READ, WRITE, ADMIN = "notes:read", "notes:write", "notes:admin"
MODERN, LEGACY = "2026-07-28", "2025-11-25"
ACCEPT = "application/json, text/event-stream"


@dataclass
class Protected:
    url: str
    base: str
    issuer: AuthorizationServer

    def token(self, *scopes: str, **odd: object) -> str:
        """A token for this server (``odd`` overrides claims: audience, issuer …)."""
        options: dict[str, object] = {"audience": self.url, **odd}
        return self.issuer.mint(scope=" ".join(scopes), **options)  # type: ignore[arg-type]


def jwt_verifier(issuer: AuthorizationServer, url: str, **options: object) -> JwtVerifier:
    return JwtVerifier(
        issuer=issuer.issuer, audience=url, jwks_uri=f"{issuer.issuer}/jwks", **options
    )  # type: ignore[arg-type]


@contextmanager
def protected_notes(
    issuer: AuthorizationServer,
    verifier: Callable[[str], TokenVerifier] | None = None,
    config: HttpConfig | None = None,
) -> Iterator[Protected]:
    """The notes app served with auth on a free port, in a thread, meanwhile;
    ``verifier(url)`` makes the verifier (JWT against the issuer's JWKS by default)."""

    def make(base: str) -> Any:
        url = f"{base}/mcp"
        auth = ResourceServerAuth.of(
            resource=url,
            authorization_servers=[issuer.issuer],
            verifier=verifier(url) if verifier is not None else jwt_verifier(issuer, url),
            required_scopes=[READ],
            resource_name="Notes",
        )
        return app.http_app(config or HttpConfig(keepalive_s=0.5), auth=auth)

    with serving(make) as base:
        yield Protected(f"{base}/mcp", base, issuer)


def modern_call(method: str, params: dict[str, object] | None = None) -> dict[str, object]:
    meta = {
        "io.modelcontextprotocol/protocolVersion": MODERN,
        "io.modelcontextprotocol/clientCapabilities": {},
    }
    return {
        "jsonrpc": "2.0",
        "id": 1,
        "method": method,
        "params": {**(params or {}), "_meta": meta},
    }


def modern_headers(token: str | None, message: dict[str, object]) -> dict[str, str]:
    headers = {
        "accept": ACCEPT,
        "content-type": "application/json",
        "mcp-protocol-version": MODERN,
        "mcp-method": str(message["method"]),
    }
    params = message.get("params")
    for field in ("name", "uri"):
        if isinstance(params, dict) and field in params:
            headers["mcp-name"] = str(params[field])
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    return headers


def challenge_params(header: str) -> dict[str, str]:
    """``Bearer a="x", b="y"`` → ``{"a": "x", "b": "y"}`` (our quoting has no commas inside)."""
    scheme, _, rest = header.partition(" ")
    assert scheme == "Bearer"
    params = {}
    for part in rest.split(", "):
        name, _, value = part.partition("=")
        params[name] = value.strip('"')
    return params
