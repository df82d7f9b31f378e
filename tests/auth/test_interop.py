"""Real clients against the protected notes server on 127.0.0.1: the official SDK
client completing the whole OAuth flow (discovery, registration, PKCE, step-up) with
its own provider, and our client with a fixed ``Authorization`` header (its OAuth
support is a sibling issue)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import httpx2
import pytest
from joserfc.jwk import RSAKey
from mcp import ClientSession
from mcp.client.auth import AuthorizationCodeResult, OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import OAuthClientInformationFull, OAuthClientMetadata, OAuthToken
from mcp_foundry.runtime.http import connect_http
from mcp_foundry.runtime.http.auth import IntrospectionVerifier
from mcp_foundry.testing.authorization_server import AuthorizationServer

from .support import MODERN, READ, WRITE, Protected, protected_notes

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Memory:
    """The SDK's TokenStorage, in memory."""

    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client = client_info


class Browser:
    """Plays the user agent: follows the authorization URL to our auto-approving AS and
    hands the redirect's code back to the SDK."""

    def __init__(self) -> None:
        self.visits: list[dict[str, list[str]]] = []
        self.redirect: dict[str, list[str]] = {}

    async def open(self, url: str) -> None:
        self.visits.append(parse_qs(urlsplit(url).query))
        async with httpx.AsyncClient() as http:
            answer = await http.get(url)
        assert answer.status_code == 302, answer.text
        self.redirect = parse_qs(urlsplit(answer.headers["location"]).query)

    async def callback(self) -> AuthorizationCodeResult:
        return AuthorizationCodeResult(
            code=self.redirect["code"][0],
            state=self.redirect.get("state", [None])[0],
            iss=self.redirect.get("iss", [None])[0],
        )


def _provider(url: str, browser: Browser) -> OAuthClientProvider:
    metadata = OAuthClientMetadata(
        client_name="sdk-interop",
        redirect_uris=["http://127.0.0.1:3030/callback"],
        grant_types=["authorization_code"],
        response_types=["code"],
    )
    return OAuthClientProvider(url, metadata, Memory(), browser.open, browser.callback)


async def test_sdk_client_completes_the_flow_and_steps_up(notes: Protected) -> None:
    browser = Browser()
    auth = _provider(notes.url, browser)
    async with httpx2.AsyncClient(auth=auth, timeout=20) as http:
        async with streamable_http_client(notes.url, http_client=http) as streams:
            async with ClientSession(streams[0], streams[1]) as session:
                await session.initialize()
                tools = {t.name for t in (await session.list_tools()).tools}
                assert tools == {"read_notes", "whoami", "clear_notes"}
                whoami = await session.call_tool("whoami", {})
                assert whoami.content[0].text.endswith(f"|{READ}")
                written = await session.call_tool("write_note", {"text": "from the SDK"})
                assert written.content[0].text.endswith("notes")
                assert WRITE in (await session.call_tool("whoami", {})).content[0].text
    first, second = browser.visits
    assert first["resource"] == [notes.url] and first["scope"] == [READ]
    assert first["code_challenge_method"] == ["S256"]
    assert set(second["scope"][0].split()) == {READ, WRITE}  # step-up keeps what it had


async def test_our_client_with_a_fixed_header(notes: Protected) -> None:
    token = notes.issuer.token_for(notes.url, f"{READ} {WRITE}")
    for version in (MODERN, "2025-11-25", "2025-06-18"):
        headers = {"Authorization": f"Bearer {token}"}
        async with connect_http(notes.url, version=version, headers=headers) as client:
            names = {t.name for t in (await client.list_tools()).tools}
            assert "write_note" in names
            answer = await client.call_tool("whoami", {})
            assert answer.content[0].text.split("|")[2] == f"{READ} {WRITE}"


async def test_our_client_without_a_token_is_refused(notes: Protected) -> None:
    with pytest.raises(Exception) as refused:
        async with connect_http(notes.url, version=MODERN) as client:
            await client.list_tools()
    assert "401" in str(refused.value)


@pytest.mark.parametrize("kind", ["audience", "expired", "issuer", "forged"])
async def test_bad_tokens_are_refused_over_the_wire(notes: Protected, kind: str) -> None:
    forger = RSAKey.generate_key(2048, parameters={"kid": notes.issuer.keys.keys[-1].kid})
    odd: dict[str, object] = {
        "audience": {"audience": notes.base + "/other"},
        "expired": {"lifetime_s": -120},
        "issuer": {"issuer": "http://127.0.0.1:1"},
        "forged": {"key": forger},
    }[kind]
    headers = {"Authorization": f"Bearer {notes.token(READ, **odd)}"}
    for version in (MODERN, "2025-11-25"):
        with pytest.raises(Exception) as refused:
            async with connect_http(notes.url, version=version, headers=headers) as client:
                await client.list_tools()
        assert "401" in str(refused.value)


async def test_introspection_protects_a_server(issuer: AuthorizationServer) -> None:
    server_client = issuer.register(confidential=True)
    with protected_notes(issuer, _introspecting(issuer, server_client)) as live:
        good = live.token(READ)
        async with connect_http(live.url, headers={"Authorization": f"Bearer {good}"}) as client:
            assert (await client.call_tool("read_notes", {})).content[0].text
        stale = live.token(READ, lifetime_s=-600)
        with pytest.raises(Exception) as refused:
            async with connect_http(live.url, headers={"Authorization": f"Bearer {stale}"}):
                pass
        assert "401" in str(refused.value)


def _introspecting(
    issuer: AuthorizationServer, client: dict[str, Any]
) -> Callable[[str], IntrospectionVerifier]:
    def verifier(url: str) -> IntrospectionVerifier:
        return IntrospectionVerifier(
            endpoint=f"{issuer.issuer}/introspect",
            audience=url,
            client_id=client["client_id"],
            client_secret=client["client_secret"],
        )

    return verifier
