"""Finding the authorization server for an MCP server (the authorization page's
"Authorization Server Discovery").

Protected-resource metadata first (RFC 9728), checked to name this server; then the
authorization server's metadata (RFC 8414 / OpenID discovery), checked to carry the
issuer it was looked up by. A server without protected-resource metadata is a
2025-03-26 server: its origin is the authorization server, with default endpoints when
it has no metadata either.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import httpx
from mcp_foundry.runtime.http.oauth.errors import AuthorizationError
from mcp_foundry.runtime.http.oauth.metadata import ResourceMetadata, ServerMetadata
from mcp_foundry.runtime.http.oauth.urls import (
    as_metadata_urls,
    canonical_resource,
    origin,
    prm_urls,
    resource_covers,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Discovery:
    resource: str
    """The RFC 8707 ``resource`` to ask tokens for."""
    server: ServerMetadata
    protected: ResourceMetadata | None
    """``None`` for a 2025-03-26 server (no protected-resource metadata)."""


async def _get_json(http: httpx.AsyncClient, url: str) -> dict[str, Any] | None:
    try:
        response = await http.get(url, headers={"accept": "application/json"})
    except httpx.HTTPError as exc:
        log.info("metadata fetch %s failed: %s", url, exc)
        return None
    if response.status_code != 200:
        return None
    try:
        doc = response.json()
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None


async def protected_resource(
    http: httpx.AsyncClient, server_url: str, hinted: str | None
) -> ResourceMetadata | None:
    """The first protected-resource metadata found, checked against ``server_url``."""
    for url in prm_urls(server_url, hinted):
        doc = await _get_json(http, url)
        if doc is None:
            continue
        metadata = ResourceMetadata.from_json(doc)
        if not resource_covers(metadata.resource, server_url):
            raise AuthorizationError(
                f"protected-resource metadata at {url} names resource {metadata.resource!r},"
                f" not {server_url}"
            )
        if not metadata.authorization_servers:
            raise AuthorizationError(f"protected-resource metadata at {url} lists no server")
        return metadata
    return None


async def server_metadata(
    http: httpx.AsyncClient, issuer: str, *, legacy: bool = False
) -> ServerMetadata:
    """The metadata of ``issuer``; its ``issuer`` must equal the one looked up
    (RFC 8414 §3.3). ``legacy`` allows the 2025-03-26 default endpoints."""
    for url in as_metadata_urls(issuer):
        doc = await _get_json(http, url)
        if doc is None:
            continue
        try:
            metadata = ServerMetadata.from_json(doc)
        except ValueError as exc:
            raise AuthorizationError(f"authorization server metadata at {url}: {exc}") from None
        if metadata.issuer != issuer:
            raise AuthorizationError(
                f"authorization server metadata at {url} has issuer {metadata.issuer!r},"
                f" expected {issuer!r}"
            )
        return metadata
    if legacy:
        log.info("no authorization server metadata at %s; using the default endpoints", issuer)
        return ServerMetadata.default_endpoints(issuer)
    raise AuthorizationError(f"no authorization server metadata found for {issuer}")


async def discover(http: httpx.AsyncClient, server_url: str, hinted: str | None) -> Discovery:
    """Protected-resource metadata, then its first authorization server's metadata."""
    protected = await protected_resource(http, server_url, hinted)
    if protected is None:
        issuer = origin(server_url)
        server = await server_metadata(http, issuer, legacy=True)
        return Discovery(canonical_resource(server_url), server, None)
    server = await server_metadata(http, protected.authorization_servers[0])
    return Discovery(protected.resource, server, protected)
