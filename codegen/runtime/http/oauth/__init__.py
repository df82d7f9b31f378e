"""OAuth 2.1 for MCP clients over HTTP (the authorization pages of 2025-03-26 through
2026-07-28 and the auth extensions).

``connect_http(url, auth=OAuth(url, AuthorizationCode(LoopbackRedirect())))`` is a
client that signs in through the browser on first use; :class:`OAuth` is an
``httpx.Auth``, so it also works on any ``httpx.AsyncClient``.

Modules, one job each: ``challenge`` (``WWW-Authenticate``), ``urls`` (well-known
URLs, the resource check), ``metadata`` / ``discovery`` (RFC 9728, RFC 8414),
``registration`` (pre-registered, metadata document, RFC 7591), ``pkce``,
``client_auth`` (token endpoint authentication), ``tokens`` (the token endpoint),
``dpop`` (RFC 9449 proofs), ``grants``, ``redirect`` (the browser step), ``storage``,
``provider`` (the ``httpx.Auth`` tying them together).
"""

from mcp_foundry.runtime.http.oauth.client_auth import ClientInfo
from mcp_foundry.runtime.http.oauth.discovery import Discovery
from mcp_foundry.runtime.http.oauth.errors import AuthorizationError
from mcp_foundry.runtime.http.oauth.grants import (
    AuthorizationCode,
    ClientCredentials,
    Grant,
    GrantContext,
    JwtBearer,
)
from mcp_foundry.runtime.http.oauth.provider import OAuth
from mcp_foundry.runtime.http.oauth.redirect import LoopbackRedirect, RedirectHandler, query_params
from mcp_foundry.runtime.http.oauth.registration import ClientMetadata
from mcp_foundry.runtime.http.oauth.storage import FileTokenStore, MemoryTokenStore, TokenStore
from mcp_foundry.runtime.http.oauth.tokens import Tokens

__all__ = [
    "AuthorizationCode",
    "AuthorizationError",
    "ClientCredentials",
    "ClientInfo",
    "ClientMetadata",
    "Discovery",
    "FileTokenStore",
    "Grant",
    "GrantContext",
    "JwtBearer",
    "LoopbackRedirect",
    "MemoryTokenStore",
    "OAuth",
    "RedirectHandler",
    "TokenStore",
    "Tokens",
    "query_params",
]
