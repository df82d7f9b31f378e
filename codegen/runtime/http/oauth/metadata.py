"""The two metadata documents the client acts on, read from their JSON.

Only the fields the flows use are lifted out; everything else stays in ``raw``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mcp_foundry.runtime.http.oauth.urls import origin


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


@dataclass(frozen=True)
class ResourceMetadata:
    """RFC 9728 protected-resource metadata (absent for 2025-03-26 servers)."""

    resource: str
    authorization_servers: list[str]
    scopes_supported: list[str]

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> ResourceMetadata:
        return cls(
            resource=str(doc.get("resource", "")),
            authorization_servers=_strings(doc.get("authorization_servers")),
            scopes_supported=_strings(doc.get("scopes_supported")),
        )


@dataclass(frozen=True)
class ServerMetadata:
    """RFC 8414 authorization-server metadata (or the 2025-03-26 default endpoints)."""

    issuer: str
    authorization_endpoint: str | None
    token_endpoint: str
    registration_endpoint: str | None = None
    scopes_supported: list[str] = field(default_factory=list)
    token_endpoint_auth_methods_supported: list[str] = field(default_factory=list)
    code_challenge_methods_supported: list[str] = field(default_factory=list)
    grant_types_supported: list[str] = field(default_factory=list)
    dpop_signing_alg_values_supported: list[str] = field(default_factory=list)
    iss_parameter_supported: bool = False
    client_id_metadata_document_supported: bool = False
    raw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> ServerMetadata:
        def url(key: str) -> str | None:
            value = doc.get(key)
            return value if isinstance(value, str) and value else None

        token = url("token_endpoint")
        if not isinstance(doc.get("issuer"), str) or token is None:
            raise ValueError("metadata lacks issuer or token_endpoint")
        return cls(
            issuer=doc["issuer"],
            authorization_endpoint=url("authorization_endpoint"),
            token_endpoint=token,
            registration_endpoint=url("registration_endpoint"),
            scopes_supported=_strings(doc.get("scopes_supported")),
            token_endpoint_auth_methods_supported=_strings(
                doc.get("token_endpoint_auth_methods_supported")
            ),
            code_challenge_methods_supported=_strings(doc.get("code_challenge_methods_supported")),
            grant_types_supported=_strings(doc.get("grant_types_supported")),
            dpop_signing_alg_values_supported=_strings(
                doc.get("dpop_signing_alg_values_supported")
            ),
            iss_parameter_supported=doc.get("authorization_response_iss_parameter_supported")
            is True,
            client_id_metadata_document_supported=doc.get("client_id_metadata_document_supported")
            is True,
            raw=doc,
        )

    @classmethod
    def default_endpoints(cls, issuer: str) -> ServerMetadata:
        """The 2025-03-26 fallback for a server without metadata: fixed paths on the
        authorization base URL (the MCP server's origin)."""
        base = origin(issuer)
        return cls(
            issuer=issuer,
            authorization_endpoint=base + "/authorize",
            token_endpoint=base + "/token",
            registration_endpoint=base + "/register",
        )

    @property
    def auth_methods(self) -> list[str]:
        """Token endpoint auth methods; RFC 8414's default when none are listed."""
        return self.token_endpoint_auth_methods_supported or ["client_secret_basic"]
