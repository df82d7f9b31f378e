"""Resource-server authorization (OAuth 2.1) for the HTTP transports.

``create_app(server, config, auth=ResourceServerAuth.of(...))`` puts an
:class:`AuthLayer` in front of the server: RFC 9728 metadata at the well-known paths,
bearer tokens checked by a :class:`TokenVerifier` (:class:`JwtVerifier` against the
AS's JWKS, or :class:`IntrospectionVerifier`, RFC 7662), RFC 6750 challenges with the
scopes to step up to. stdio is unauthenticated by definition (the spec: credentials
come from the environment there).
"""

from typing import TYPE_CHECKING

from mcp_foundry.runtime.access import AccessToken
from mcp_foundry.runtime.lazy import exports

if TYPE_CHECKING:
    from mcp_foundry.runtime.http.auth.introspection import IntrospectionVerifier
    from mcp_foundry.runtime.http.auth.jwt import JwtVerifier
    from mcp_foundry.runtime.http.auth.layer import AuthLayer
    from mcp_foundry.runtime.http.auth.metadata import ProtectedResource, canonical_resource
    from mcp_foundry.runtime.http.auth.settings import ResourceServerAuth, ScopePolicy
    from mcp_foundry.runtime.http.auth.verifier import InvalidToken, TokenVerifier

__getattr__ = exports(
    __name__,
    {
        "IntrospectionVerifier": "introspection",
        "JwtVerifier": "jwt",
        "AuthLayer": "layer",
        "ProtectedResource": "metadata",
        "canonical_resource": "metadata",
        "ResourceServerAuth": "settings",
        "ScopePolicy": "settings",
        "InvalidToken": "verifier",
        "TokenVerifier": "verifier",
    },
)
__all__ = [
    "AccessToken",
    "AuthLayer",
    "IntrospectionVerifier",
    "InvalidToken",
    "JwtVerifier",
    "ProtectedResource",
    "ResourceServerAuth",
    "ScopePolicy",
    "TokenVerifier",
    "canonical_resource",
]
