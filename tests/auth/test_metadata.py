"""Canonical resource URIs, the well-known paths and the challenge header, as values."""

from __future__ import annotations

import pytest
from mcp_foundry.runtime.http.auth import ProtectedResource, canonical_resource
from mcp_foundry.runtime.http.auth.challenge import www_authenticate
from mcp_foundry.runtime.http.auth.metadata import InvalidResource


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("https://MCP.Example.com/mcp", "https://mcp.example.com/mcp"),
        ("HTTPS://mcp.example.com/", "https://mcp.example.com"),
        ("https://mcp.example.com:8443", "https://mcp.example.com:8443"),
        ("http://127.0.0.1:9/server/mcp/", "http://127.0.0.1:9/server/mcp"),
    ],
)
def test_canonical_resource(given: str, canonical: str) -> None:
    assert canonical_resource(given) == canonical


@pytest.mark.parametrize(
    "bad", ["mcp.example.com", "https://mcp.example.com#frag", "ftp://x/mcp", "/mcp"]
)
def test_non_canonical_resources_are_refused(bad: str) -> None:
    with pytest.raises(InvalidResource):
        canonical_resource(bad)


def test_paths_for_a_path_and_for_the_root() -> None:
    nested = ProtectedResource.of("https://a.example/public/mcp", ["https://as.example"])
    assert nested.paths == (
        "/.well-known/oauth-protected-resource/public/mcp",
        "/.well-known/oauth-protected-resource",
    )
    assert nested.metadata_url == (
        "https://a.example/.well-known/oauth-protected-resource/public/mcp"
    )
    root = ProtectedResource.of("https://a.example", ["https://as.example"])
    assert root.metadata_url == "https://a.example/.well-known/oauth-protected-resource"


def test_an_authorization_server_is_required() -> None:
    with pytest.raises(InvalidResource):
        ProtectedResource.of("https://a.example/mcp", [])


def test_challenge_header_quotes_and_orders_parameters() -> None:
    header = www_authenticate(
        "https://a.example/.well-known/oauth-protected-resource/mcp",
        ["b:write", "a:read", "a:read"],
        "insufficient_scope",
        'needs "write"',
    )
    assert header == (
        'Bearer error="insufficient_scope", scope="a:read b:write", '
        'resource_metadata="https://a.example/.well-known/oauth-protected-resource/mcp", '
        'error_description="needs \\"write\\""'
    )
