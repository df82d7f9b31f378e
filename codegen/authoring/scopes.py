"""Scopes declared on tools, prompts and resources (``@app.tool(scopes=[...])``).

Two uses, both only when the app is served over HTTP with ``auth``: the HTTP auth layer
asks :meth:`ScopeRules.needed` what a message requires before it runs (so a call the
token is too weak for gets a 403 step-up challenge), and the list handlers hide the
items a caller's token could not use. Without a verified token (stdio, an unprotected
HTTP server) nothing is hidden or refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from mcp_foundry.runtime.access import AccessToken

from .specs import ResourceSpec

NONE: frozenset[str] = frozenset()


class ScopeRules:
    """Per-item scopes, keyed as the lists key items (tool/prompt name, resource URI)."""

    def __init__(self, resources: Mapping[str, ResourceSpec]) -> None:
        self.tools: dict[str, frozenset[str]] = {}
        self.prompts: dict[str, frozenset[str]] = {}
        self.resources: dict[str, frozenset[str]] = {}
        self._resource_specs = resources

    @staticmethod
    def declare(table: dict[str, frozenset[str]], key: str, scopes: Iterable[str]) -> None:
        if isinstance(scopes, str):
            raise TypeError("scopes= takes a list of scope names, not one string")
        table[key] = frozenset(scopes)

    def needed(self, message: Mapping[str, Any]) -> frozenset[str]:
        """What one JSON-RPC message needs beyond the server-wide scopes."""
        params = message.get("params")
        if not isinstance(params, dict):
            return NONE
        method = message.get("method")
        if method == "tools/call":
            return self.tools.get(str(params.get("name")), NONE)
        if method == "prompts/get":
            return self.prompts.get(str(params.get("name")), NONE)
        if method in ("resources/read", "resources/subscribe"):
            uri = params.get("uri")
            if isinstance(uri, str):
                return self.resource_scopes(uri)
        if method == "completion/complete":
            return self._completion_scopes(params.get("ref"))
        return NONE

    def _completion_scopes(self, ref: Any) -> frozenset[str]:
        """Completing a prompt's or a template's arguments needs what using it needs."""
        if not isinstance(ref, dict):
            return NONE
        if ref.get("type") == "ref/prompt":
            return self.prompts.get(str(ref.get("name")), NONE)
        if ref.get("type") == "ref/resource":
            return self.resources.get(str(ref.get("uri")), NONE)
        return NONE

    def resource_scopes(self, uri: str) -> frozenset[str]:
        for key, spec in self._resource_specs.items():
            if spec.match(uri) is not None:
                return self.resources.get(key, NONE)
        return NONE

    @staticmethod
    def visible(scopes: frozenset[str] | None, access: AccessToken | None) -> bool:
        """Whether an item needing ``scopes`` is listed to the caller holding ``access``."""
        return access is None or scopes is None or access.has(scopes)


def caller_access(ctx: Any) -> AccessToken | None:
    """The verified token of the request behind a runtime request context, if any."""
    facts = getattr(ctx, "facts", None)
    access = getattr(facts, "access", None)
    return access if isinstance(access, AccessToken) else None
