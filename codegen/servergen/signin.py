"""OAuth sign-in for URL servers (``server ... --oauth``): the authorization-code flow
through the system browser and a loopback redirect, tokens kept in a file per server URL
under the per-user cache directory, so later runs reuse or refresh them silently."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from mcp_foundry import paths

if TYPE_CHECKING:
    import httpx


def token_file(url: str) -> Path:
    """The token store for ``url``: ``<cache>/tokens/<hash of the resource URL>.json``."""
    from mcp_foundry.runtime.http.oauth.urls import canonical_resource

    digest = hashlib.sha256(canonical_resource(url).encode()).hexdigest()[:32]
    return paths.tokens() / f"{digest}.json"


def oauth(url: str, client_id: str | None = None, client_secret: str | None = None) -> httpx.Auth:
    """An ``httpx.Auth`` signing in to ``url``; ``client_id`` (and ``client_secret``) name a
    client registered beforehand, otherwise the client registers itself."""
    from mcp_foundry.runtime.http.oauth import (
        AuthorizationCode,
        ClientInfo,
        FileTokenStore,
        LoopbackRedirect,
        OAuth,
    )

    client = ClientInfo(client_id, client_secret) if client_id else None
    grant = AuthorizationCode(LoopbackRedirect(), client=client)
    return OAuth(url, grant, store=FileTokenStore(token_file(url)))
