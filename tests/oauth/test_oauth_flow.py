"""The OAuth client end to end against a real local authorization server and a protected
MCP server (``fixture.py``, on the shipped test
authorization server), through the public API: ``connect_http(url, auth=OAuth(...))``
with the default loopback redirect, whose "browser" here is an HTTP client following the
authorization server's redirect to our loopback listener."""

from __future__ import annotations

import logging
import os
import stat
import time
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from mcp_foundry.runtime.errors import RpcError
from mcp_foundry.runtime.http import connect, connect_http
from mcp_foundry.runtime.http.oauth import (
    AuthorizationCode,
    ClientMetadata,
    FileTokenStore,
    LoopbackRedirect,
    MemoryTokenStore,
    OAuth,
    TokenStore,
)

from .fixture import Protected, Settings, protected_server

pytestmark = pytest.mark.timeout(60)


def browser(url: str) -> None:
    """A user who approves at once: follow every redirect, loopback callback included."""
    httpx.get(url, follow_redirects=True, timeout=10).raise_for_status()


def oauth(server: Protected, store: TokenStore | None = None) -> OAuth:
    grant = AuthorizationCode(
        LoopbackRedirect(open_browser=browser), ClientMetadata(client_name="test client")
    )
    return OAuth(server.url, grant, store=store or MemoryTokenStore())


async def call(server: Protected, auth: OAuth, tool: str = "whoami", version: Any = None) -> Any:
    async with connect_http(server.url, auth=auth, version=version) as client:
        return await client.call_tool(tool, {})


@pytest.mark.parametrize("version", ["2025-11-25", "2026-07-28"])
def test_first_use_signs_in_through_the_loopback_redirect(version: str) -> None:
    with protected_server() as server:
        result = anyio.run(call, server, oauth(server), "whoami", version)
        assert result.content[0].text == "a protected answer"
        issuer = server.issuer
        assert len(issuer.clients) == 1
        [asked] = issuer.authorizations
        assert asked["redirect_uri"].startswith("http://127.0.0.1:")
        assert asked["resource"] == server.url
        assert asked["scope"] == "mcp:read offline_access"  # challenge scope + refresh
        assert issuer.grants == ["authorization_code"]
        registered = next(iter(issuer.clients.values()))
        assert registered["application_type"] == "native"
        assert "refresh_token" in registered["grant_types"]


def test_file_store_keeps_tokens_across_runs_and_refreshes_them(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    with protected_server(Settings(expires_in=5)) as server:
        anyio.run(call, server, oauth(server, FileTokenStore(path)))
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        anyio.run(call, server, oauth(server, FileTokenStore(path)))
        assert len(server.issuer.authorizations) == 1, "a second run reuses the stored token"
        anyio.run(anyio.sleep, 5)
        anyio.run(call, server, oauth(server, FileTokenStore(path)))
        assert len(server.issuer.authorizations) == 1
        assert server.issuer.grants == ["authorization_code", "refresh_token"]
        assert len(server.issuer.clients) == 1, "the registration was stored too"


def test_step_up_asks_for_the_union_of_scopes() -> None:
    with protected_server() as server:
        auth = oauth(server)
        result = anyio.run(call, server, auth, "admin")
        assert result.content[0].text == "an admin answer"
        first, second = server.issuer.authorizations
        assert first["scope"].split() == ["mcp:read", "offline_access"]
        assert set(second["scope"].split()) == {"mcp:read", "mcp:admin", "offline_access"}


def test_a_step_up_that_never_succeeds_is_not_repeated() -> None:
    with protected_server(Settings(grant_admin=False)) as server:
        with pytest.raises(RpcError, match="HTTP 403"):
            anyio.run(call, server, oauth(server), "admin")
        assert len(server.issuer.authorizations) == 2  # sign-in, then one step-up


def test_metadata_for_another_resource_stops_before_authorization() -> None:
    with protected_server(Settings(resource="http://127.0.0.1:1/elsewhere")) as server:
        with pytest.raises(RpcError, match="names resource"):
            anyio.run(call, server, oauth(server))
        assert server.issuer.authorizations == []


def test_an_authorization_response_from_another_issuer_is_refused() -> None:
    with protected_server(Settings(iss="https://attacker.example")) as server:
        with pytest.raises(RpcError, match="another issuer"):
            anyio.run(call, server, oauth(server))
        assert server.issuer.grants == [], "the code was never exchanged"


def test_no_token_or_secret_reaches_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with protected_server(Settings(expires_in=1)) as server:
        auth = oauth(server)
        anyio.run(call, server, auth)
        anyio.run(anyio.sleep, 1.5)
        anyio.run(call, server, auth)
        secrets = [*server.issuer.issued]
        secrets += [
            c["client_secret"] for c in server.issuer.clients.values() if "client_secret" in c
        ]
    logged = caplog.text
    assert secrets and not [s for s in secrets if s in logged]


def test_the_version_probe_waits_for_a_slow_sign_in() -> None:
    """The first request (the ``server/discover`` probe) carries the whole sign-in; a user
    slower than the probe's usual 5 s must not push the client onto the legacy wire."""

    def slow_browser(url: str) -> None:
        time.sleep(6)
        browser(url)

    async def negotiate(server: Protected) -> str | None:
        grant = AuthorizationCode(LoopbackRedirect(open_browser=slow_browser))
        async with connect_http(server.url, auth=OAuth(server.url, grant)) as c:
            return c.revision

    with protected_server() as server:
        assert anyio.run(negotiate, server) == "2026-07-28"


def test_an_unauthorized_server_is_not_taken_for_an_old_transport() -> None:
    """``connect(url)`` falls back to HTTP+SSE on a 4xx, but not on a 401: that asks for
    authorization (the deprecated transport would ask too, and sign-in would run twice)."""

    async def plain(server: Protected) -> None:
        async with connect(server.url, version="2025-11-25"):
            pass

    with protected_server() as server:
        with pytest.raises(RpcError, match="HTTP 401") as refused:
            anyio.run(plain, server)
        assert not getattr(refused.value, "__notes__", None), "no HTTP+SSE attempt"
