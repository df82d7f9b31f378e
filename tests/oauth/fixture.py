"""A protected MCP server next to the shipped test authorization server, both on loopback.

The MCP server is our own runtime (an authoring ``App``) behind our own resource-server
layer: every call needs ``mcp:read``, the ``admin`` tool ``mcp:admin`` (a step-up). The
authorization server is :mod:`mcp_foundry.testing.authorization_server`, which records
what the client did. ``Settings`` bends either side for the negative tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import orjson
from mcp_foundry.authoring import App
from mcp_foundry.runtime.http.auth import JwtVerifier, ResourceServerAuth
from mcp_foundry.testing.authorization_server import AuthorizationServer, running
from mcp_foundry.testing.loopback import serving

READ, ADMIN = "mcp:read", "mcp:admin"

app = App("protected", "1.0.0")


@app.tool()
def whoami() -> str:
    """Needs only a valid token."""
    return "a protected answer"


@app.tool(scopes=[ADMIN])
def admin() -> str:
    """Needs the ``mcp:admin`` scope (a step-up)."""
    return "an admin answer"


@dataclass
class Settings:
    expires_in: int = 3600
    resource: str | None = None
    """Overrides the protected-resource metadata's ``resource``."""
    iss: str | None = None
    """Overrides the ``iss`` sent with the authorization response."""
    grant_admin: bool = True
    """Whether asking for ``mcp:admin`` gets it."""


@dataclass
class Protected:
    base: str
    issuer: AuthorizationServer

    @property
    def url(self) -> str:
        return self.base + "/mcp"


def _with_metadata(inner: Any, path: str, document: dict[str, Any]) -> Any:
    """``inner`` answering ``document`` as its protected-resource metadata at ``path``."""

    async def asgi(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != path:
            await inner(scope, receive, send)
            return
        body = orjson.dumps(document)
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return asgi


@contextmanager
def protected_server(settings: Settings | None = None) -> Iterator[Protected]:
    """The protected app on a free 127.0.0.1 port, in a thread, next to a running
    authorization server."""
    settings = settings or Settings()
    with running(
        [READ, ADMIN, "offline_access"],
        token_lifetime_s=settings.expires_in,
        response_iss=settings.iss,
        withheld_scopes=frozenset() if settings.grant_admin else frozenset([ADMIN]),
    ) as issuer:

        def make(base: str) -> Any:
            url = f"{base}/mcp"
            verifier = JwtVerifier(
                issuer=issuer.issuer, audience=url, jwks_uri=f"{issuer.issuer}/jwks"
            )
            auth = ResourceServerAuth.of(
                resource=url,
                authorization_servers=[issuer.issuer],
                verifier=verifier,
                required_scopes=[READ],
                scopes_supported=[READ, ADMIN],
            )
            asgi = app.http_app(auth=auth)
            if settings.resource is None:
                return asgi
            document = {**auth.metadata.document(), "resource": settings.resource}
            return _with_metadata(asgi, "/.well-known/oauth-protected-resource/mcp", document)

        with serving(make) as base:
            yield Protected(base, issuer)
