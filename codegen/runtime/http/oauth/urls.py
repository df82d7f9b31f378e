"""Well-known URLs and resource identifiers (RFC 9728 §3, RFC 8414 §3, OpenID Discovery).

Pure functions over URLs, so the discovery order and the resource check can be read
(and tested) on their own.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

PRM_SUFFIX = "/.well-known/oauth-protected-resource"
OAUTH_SUFFIX = "/.well-known/oauth-authorization-server"
OPENID_SUFFIX = "/.well-known/openid-configuration"


def origin(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "", "", ""))


def _path(url: str) -> str:
    return urlsplit(url).path.rstrip("/")


def canonical_resource(url: str) -> str:
    """The server URL as an RFC 8707 resource: lower-case scheme and host, no fragment,
    no trailing slash (the MCP authorization page's canonical URI)."""
    parts = urlsplit(url)
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/"), parts.query, "")
    )


def prm_urls(server_url: str, hinted: str | None) -> list[str]:
    """Where to look for protected-resource metadata, in order: the challenge's
    ``resource_metadata``, then path-based, then root well-known URL."""
    urls = [hinted] if hinted else []
    path = _path(server_url)
    if path:
        urls.append(origin(server_url) + PRM_SUFFIX + path)
    urls.append(origin(server_url) + PRM_SUFFIX)
    return list(dict.fromkeys(urls))


def as_metadata_urls(issuer: str) -> list[str]:
    """Authorization-server metadata URLs for ``issuer``: RFC 8414 path insertion, then
    OpenID Connect discovery by path insertion and by path appending."""
    base, path = origin(issuer), _path(issuer)
    if not path:
        return [base + OAUTH_SUFFIX, base + OPENID_SUFFIX]
    return [base + OAUTH_SUFFIX + path, base + OPENID_SUFFIX + path, base + path + OPENID_SUFFIX]


def _default_port(scheme: str) -> str:
    return {"http": "80", "https": "443"}.get(scheme, "")


def _authority(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = str(parts.port) if parts.port is not None else _default_port(scheme)
    return scheme, (parts.hostname or "").lower(), port


def resource_covers(resource: str, server_url: str) -> bool:
    """Whether a metadata document's ``resource`` names this server: the same origin,
    and the server's path at or below the resource's path (RFC 9728 §3.3, §7.3)."""
    if _authority(resource) != _authority(server_url):
        return False
    mine, theirs = _path(server_url) + "/", _path(resource) + "/"
    return mine.startswith(theirs)
