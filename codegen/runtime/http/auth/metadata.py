"""RFC 9728 protected-resource metadata: the document, and where it is served.

The MCP authorization pages (2025-06-18 onward) let a server publish it at the MCP
endpoint's path inserted after ``/.well-known/oauth-protected-resource`` or at that
root path; we serve both, and name the path-inserted one in every challenge.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

WELL_KNOWN = "/.well-known/oauth-protected-resource"


class InvalidResource(ValueError):
    """The configured resource is not a canonical MCP server URI."""


def canonical_resource(uri: str) -> str:
    """The canonical form of a server URI (RFC 8707 §2, MCP "Canonical Server URI"):
    absolute http(s), no fragment, lower-case scheme and host, no trailing slash."""
    parts = urlsplit(uri)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InvalidResource(f"resource must be an absolute http(s) URI: {uri!r}")
    if parts.fragment or "#" in uri:
        raise InvalidResource(f"resource must not have a fragment: {uri!r}")
    path = parts.path.rstrip("/")
    netloc = parts.netloc.rpartition("@")[2].lower()
    return urlunsplit((parts.scheme.lower(), netloc, path, parts.query, ""))


@dataclass(frozen=True, slots=True)
class ProtectedResource:
    """What the server tells clients about itself as an OAuth resource server."""

    resource: str
    """This server's canonical URI, e.g. ``https://mcp.example.com/mcp``; tokens must name
    it as their audience."""
    authorization_servers: tuple[str, ...]
    scopes_supported: tuple[str, ...] = ()
    resource_name: str | None = None

    @classmethod
    def of(
        cls,
        resource: str,
        authorization_servers: Iterable[str],
        scopes_supported: Iterable[str] = (),
        resource_name: str | None = None,
    ) -> ProtectedResource:
        servers = tuple(authorization_servers)
        if not servers:
            raise InvalidResource("at least one authorization server is required")
        return cls(canonical_resource(resource), servers, tuple(scopes_supported), resource_name)

    @property
    def paths(self) -> tuple[str, str]:
        """The well-known paths we answer: path-inserted first, then the root one."""
        path = urlsplit(self.resource).path
        return (f"{WELL_KNOWN}{path}" if path else WELL_KNOWN, WELL_KNOWN)

    @property
    def metadata_url(self) -> str:
        """The absolute URL challenges point clients to (``resource_metadata``)."""
        parts = urlsplit(self.resource)
        return urlunsplit((parts.scheme, parts.netloc, self.paths[0], "", ""))

    def document(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "resource": self.resource,
            "authorization_servers": list(self.authorization_servers),
            "bearer_methods_supported": ["header"],
        }
        if self.scopes_supported:
            body["scopes_supported"] = list(self.scopes_supported)
        if self.resource_name:
            body["resource_name"] = self.resource_name
        return body
