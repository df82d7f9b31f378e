"""Which client identity to present to an authorization server, in the order of the
authorization page's "Client Registration Approaches": pre-registered credentials,
then a Client ID Metadata Document URL (when the server supports them), then Dynamic
Client Registration (RFC 7591). Registrations are stored per issuer and never offered
to another server (SEP-2352).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import httpx
from mcp_foundry.runtime.http.oauth.client_auth import ClientInfo, pick_method
from mcp_foundry.runtime.http.oauth.errors import AuthorizationError
from mcp_foundry.runtime.http.oauth.metadata import ServerMetadata
from mcp_foundry.runtime.http.oauth.storage import TokenStore


@dataclass(frozen=True)
class ClientMetadata:
    """What the client says about itself (RFC 7591 §2) when it registers."""

    client_name: str = "mcp-foundry client"
    redirect_uris: list[str] = field(default_factory=list)
    grant_types: list[str] = field(default_factory=lambda: ["authorization_code", "refresh_token"])
    application_type: str = "native"
    """``native`` for loopback/custom-scheme redirects, ``web`` for hosted clients (SEP-837)."""
    metadata_url: str | None = None
    """An HTTPS URL serving this metadata as a Client ID Metadata Document."""
    client_uri: str | None = None

    def registration_body(self, auth_method: str, scope: list[str] | None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "client_name": self.client_name,
            "redirect_uris": self.redirect_uris,
            "grant_types": self.grant_types,
            "response_types": ["code"],
            "token_endpoint_auth_method": auth_method,
            "application_type": self.application_type,
        }
        if self.client_uri:
            body["client_uri"] = self.client_uri
        if scope:
            body["scope"] = " ".join(scope)
        return body


def _preferred_method(server: ServerMetadata) -> str:
    methods = server.auth_methods
    for method in ("none", "client_secret_basic", "client_secret_post"):
        if method in methods:
            return method
    return "none"


async def register(
    http: httpx.AsyncClient,
    server: ServerMetadata,
    metadata: ClientMetadata,
    scope: list[str] | None,
) -> ClientInfo:
    """Dynamic Client Registration (RFC 7591 §3)."""
    assert server.registration_endpoint is not None
    method = _preferred_method(server)
    response = await http.post(
        server.registration_endpoint,
        json=metadata.registration_body(method, scope),
        headers={"accept": "application/json"},
    )
    if response.status_code not in (200, 201):
        raise AuthorizationError(f"client registration failed with HTTP {response.status_code}")
    doc = response.json()
    if not isinstance(doc, dict) or not isinstance(doc.get("client_id"), str):
        raise AuthorizationError("client registration answered without a client_id")
    secret = doc.get("client_secret") if isinstance(doc.get("client_secret"), str) else None
    granted = doc.get("token_endpoint_auth_method")
    auth_method = granted if isinstance(granted, str) else pick_method(secret, [method])
    return ClientInfo(doc["client_id"], secret, auth_method, issuer=server.issuer)


async def client_for(
    http: httpx.AsyncClient,
    server: ServerMetadata,
    store: TokenStore,
    metadata: ClientMetadata,
    preregistered: ClientInfo | None,
    scope: list[str] | None,
) -> ClientInfo:
    """The client identity to use with ``server``, registering it if need be."""
    if preregistered is not None and preregistered.issuer in (None, server.issuer):
        if preregistered.auth_method is None:
            method = pick_method(preregistered.client_secret, server.auth_methods)
            return replace(preregistered, auth_method=method)
        return preregistered
    key = f"client {server.issuer}"
    stored = await store.load(key)
    if stored is not None:
        return ClientInfo.from_json(stored)
    if metadata.metadata_url and server.client_id_metadata_document_supported:
        return ClientInfo(metadata.metadata_url, None, "none", issuer=server.issuer)
    if server.registration_endpoint is None:
        raise AuthorizationError(
            f"{server.issuer} offers no registration and no client credentials were given"
        )
    client = await register(http, server, metadata, scope)
    await store.save(key, client.to_json())
    return client
