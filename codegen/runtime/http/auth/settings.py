"""What a protected server is configured with: its metadata, verifier and scope rules."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mcp_foundry.runtime.http.auth.metadata import ProtectedResource
from mcp_foundry.runtime.http.auth.verifier import TokenVerifier

ScopePolicy = Callable[[Mapping[str, Any]], Collection[str]]
"""The scopes one JSON-RPC message needs beyond the server-wide ones (e.g. those of the
tool a ``tools/call`` names); the authoring ``App`` supplies one from its decorators."""


@dataclass(frozen=True, slots=True)
class ResourceServerAuth:
    """Protect an HTTP server: every request but the metadata needs a valid bearer token
    carrying ``required_scopes`` (and whatever ``scope_policy`` asks for the message)."""

    metadata: ProtectedResource
    verifier: TokenVerifier
    required_scopes: frozenset[str] = frozenset()
    scope_policy: ScopePolicy | None = None

    @classmethod
    def of(
        cls,
        *,
        resource: str,
        authorization_servers: Iterable[str],
        verifier: TokenVerifier,
        required_scopes: Iterable[str] = (),
        scopes_supported: Iterable[str] | None = None,
        resource_name: str | None = None,
        scope_policy: ScopePolicy | None = None,
    ) -> ResourceServerAuth:
        """``scopes_supported`` defaults to ``required_scopes``: the minimal set for basic
        use, as the 2026-07-28 scope-selection strategy wants; more come by step-up."""
        required = frozenset(required_scopes)
        supported = sorted(required) if scopes_supported is None else list(scopes_supported)
        metadata = ProtectedResource.of(resource, authorization_servers, supported, resource_name)
        return cls(metadata, verifier, required, scope_policy)

    def with_policy(self, policy: ScopePolicy) -> ResourceServerAuth:
        return ResourceServerAuth(self.metadata, self.verifier, self.required_scopes, policy)
