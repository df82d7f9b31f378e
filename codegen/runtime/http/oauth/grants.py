"""The ways to get an access token once the authorization server is known.

:class:`AuthorizationCode` (a user authorizes in a browser; PKCE S256, RFC 8707
``resource``, RFC 9207 ``iss`` check), :class:`ClientCredentials` (a machine client, the
``oauth-client-credentials`` extension) and :class:`JwtBearer` (an assertion from
elsewhere, RFC 7523: workload identity federation, enterprise-managed authorization).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlencode

import httpx
from mcp_foundry.runtime.http.oauth.client_auth import ClientInfo, pick_method
from mcp_foundry.runtime.http.oauth.discovery import Discovery
from mcp_foundry.runtime.http.oauth.errors import AuthorizationError
from mcp_foundry.runtime.http.oauth.pkce import Pkce
from mcp_foundry.runtime.http.oauth.redirect import LoopbackRedirect, RedirectHandler
from mcp_foundry.runtime.http.oauth.registration import ClientMetadata, client_for
from mcp_foundry.runtime.http.oauth.storage import TokenStore
from mcp_foundry.runtime.http.oauth.tokens import DpopState, Tokens, request_tokens

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


@dataclass(frozen=True)
class GrantContext:
    http: httpx.AsyncClient
    discovery: Discovery
    scope: list[str] | None
    """Scopes to ask for; ``None`` omits the parameter."""
    store: TokenStore
    dpop: DpopState | None


class Grant(Protocol):
    wants_refresh: bool
    """Whether to ask for ``offline_access`` where the server offers it (SEP-2207)."""

    async def client(self, ctx: GrantContext) -> ClientInfo | None:
        """The client identity for refresh requests at ``ctx``'s server."""
        ...

    async def obtain(self, ctx: GrantContext) -> Tokens: ...


def _scoped(form: dict[str, str], ctx: GrantContext) -> dict[str, str]:
    form["resource"] = ctx.discovery.resource
    if ctx.scope:
        form["scope"] = " ".join(ctx.scope)
    return form


def check_issuer(params: dict[str, str], issuer: str, advertised: bool) -> None:
    """RFC 9207 §2.4: a present ``iss`` must equal the issuer exactly; an advertised
    one must be present."""
    iss = params.get("iss")
    if iss is None:
        if advertised:
            raise AuthorizationError("the authorization response lacks the advertised iss")
    elif iss != issuer:
        raise AuthorizationError("the authorization response came from another issuer")


class AuthorizationCode:
    """A user authorizes through ``redirect`` (default: the system browser and a
    loopback listener); the client is pre-registered (``client``), identified by its
    metadata URL, or registered dynamically."""

    def __init__(
        self,
        redirect: RedirectHandler | None = None,
        metadata: ClientMetadata | None = None,
        *,
        client: ClientInfo | None = None,
    ) -> None:
        redirect = redirect or LoopbackRedirect()
        self.redirect = redirect
        base = metadata or ClientMetadata()
        if not base.redirect_uris:
            base = ClientMetadata(**{**base.__dict__, "redirect_uris": [redirect.redirect_uri]})
        self.metadata = base
        self.preregistered = client
        self.wants_refresh = "refresh_token" in base.grant_types

    async def client(self, ctx: GrantContext) -> ClientInfo:
        server = ctx.discovery.server
        return await client_for(
            ctx.http, server, ctx.store, self.metadata, self.preregistered, ctx.scope
        )

    async def obtain(self, ctx: GrantContext) -> Tokens:
        server = ctx.discovery.server
        if server.authorization_endpoint is None:
            raise AuthorizationError(f"{server.issuer} has no authorization endpoint")
        if server.raw and "S256" not in server.code_challenge_methods_supported:
            raise AuthorizationError(f"{server.issuer} does not support PKCE with S256")
        client = await self.client(ctx)
        pkce, state = Pkce.new(), secrets.token_urlsafe(32)
        redirect_uri = self.redirect.redirect_uri
        query = _scoped(
            {
                "response_type": "code",
                "client_id": client.client_id,
                "redirect_uri": redirect_uri,
                "code_challenge": pkce.challenge,
                "code_challenge_method": pkce.method,
                "state": state,
            },
            ctx,
        )
        separator = "&" if "?" in server.authorization_endpoint else "?"
        params = await self.redirect.authorize(
            server.authorization_endpoint + separator + urlencode(query)
        )
        if "error" in params:
            raise AuthorizationError(f"authorization was refused: {params['error']}")
        if params.get("state") != state:
            raise AuthorizationError("the authorization response carries the wrong state")
        check_issuer(params, server.issuer, server.iss_parameter_supported)
        if not params.get("code"):
            raise AuthorizationError("the authorization response carries no code")
        form = {
            "grant_type": "authorization_code",
            "code": params["code"],
            "redirect_uri": redirect_uri,
            "code_verifier": pkce.verifier,
            "resource": ctx.discovery.resource,
        }
        return await request_tokens(ctx.http, server, form, client, ctx.dpop)


class ClientCredentials:
    """A confidential machine client: ``client_secret`` (basic or post, as the server
    supports) or ``private_key`` (PEM) for ``private_key_jwt``."""

    def __init__(
        self,
        client_id: str,
        *,
        client_secret: str | None = None,
        private_key: str | None = None,
        signing_algorithm: str = "ES256",
    ) -> None:
        if (client_secret is None) == (private_key is None):
            raise ValueError("give exactly one of client_secret and private_key")
        self.client_id = client_id
        self.client_secret = client_secret
        self.private_key = private_key
        self.signing_algorithm = signing_algorithm
        self.wants_refresh = False

    async def client(self, ctx: GrantContext) -> ClientInfo:
        if self.private_key is not None:
            return ClientInfo(
                self.client_id,
                auth_method="private_key_jwt",
                private_key=self.private_key,
                signing_algorithm=self.signing_algorithm,
            )
        methods = ctx.discovery.server.auth_methods
        return ClientInfo(
            self.client_id, self.client_secret, pick_method(self.client_secret, methods)
        )

    async def obtain(self, ctx: GrantContext) -> Tokens:
        form = _scoped({"grant_type": "client_credentials"}, ctx)
        return await request_tokens(
            ctx.http, ctx.discovery.server, form, await self.client(ctx), ctx.dpop
        )


AssertionSource = Callable[[Discovery], Awaitable[str]]
"""Gets the assertion for one authorization server (e.g. a workload identity token,
or an ID-JAG from an enterprise identity provider)."""


class JwtBearer:
    """RFC 7523 §2.1: trade an assertion for an access token. Failures are final: the
    grant is neither retried nor swapped for another (SEP-1933)."""

    def __init__(
        self,
        client_id: str,
        assertion: AssertionSource,
        *,
        client_secret: str | None = None,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.assertion = assertion
        self.wants_refresh = False

    async def client(self, ctx: GrantContext) -> ClientInfo:
        methods = ctx.discovery.server.auth_methods
        return ClientInfo(
            self.client_id, self.client_secret, pick_method(self.client_secret, methods)
        )

    async def obtain(self, ctx: GrantContext) -> Tokens:
        form = _scoped(
            {"grant_type": JWT_BEARER, "assertion": await self.assertion(ctx.discovery)}, ctx
        )
        return await request_tokens(
            ctx.http, ctx.discovery.server, form, await self.client(ctx), ctx.dpop
        )
