"""The ``httpx.Auth`` that authorizes an MCP client's HTTP requests.

Give it to ``connect_http(url, auth=...)`` (or any ``httpx.AsyncClient``). On a 401 it
discovers the authorization server afresh (so a server that moved to another
authorization server is followed, with a new registration), refreshes or runs its grant,
and resends the request. A ``403 insufficient_scope`` asking for scopes not yet
requested starts a step-up authorization for the union of old and new scopes, at most
``max_step_ups`` times per request. With DPoP every request carries a fresh proof and a
server's ``use_dpop_nonce`` is answered once.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Generator

import anyio
import httpx
from mcp_foundry.runtime.http.oauth import challenge as challenges
from mcp_foundry.runtime.http.oauth.discovery import Discovery, discover
from mcp_foundry.runtime.http.oauth.errors import AuthorizationError
from mcp_foundry.runtime.http.oauth.grants import Grant, GrantContext
from mcp_foundry.runtime.http.oauth.storage import MemoryTokenStore, TokenStore
from mcp_foundry.runtime.http.oauth.tokens import DpopState, Tokens, request_tokens
from mcp_foundry.runtime.http.oauth.urls import canonical_resource

log = logging.getLogger(__name__)

DPOP_ALGORITHM = "ES256"


def _htu(url: httpx.URL) -> str:
    return str(url.copy_with(query=None, fragment=None))


class OAuth(httpx.Auth):
    """OAuth 2.1 for one MCP server URL, tokens kept in ``store``.

    ``dpop``: ``None`` uses DPoP when the authorization server supports ES256 proofs,
    ``True`` always, ``False`` never.
    """

    requires_response_body = False

    def __init__(
        self,
        server_url: str,
        grant: Grant,
        *,
        store: TokenStore | None = None,
        dpop: bool | None = None,
        max_step_ups: int = 2,
        timeout: float = 30.0,
    ) -> None:
        self.server_url = server_url
        self.grant = grant
        self.store = store or MemoryTokenStore()
        self.dpop = dpop
        self.max_step_ups = max_step_ups
        self.timeout = timeout
        self._key = f"tokens {canonical_resource(server_url)}"
        self._tokens: Tokens | None = None
        self._loaded = False
        self._discovery: Discovery | None = None
        self._requested: list[str] = []
        self._dpop: DpopState | None = None
        self._lock = anyio.Lock()

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        raise RuntimeError("OAuth works with httpx.AsyncClient only")

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        async with self._lock:
            tokens = await self._usable_tokens()
        self._sign(request, tokens)
        response = yield request
        reauthorized, step_ups, nonce_retried = False, 0, False
        while response.status_code in (401, 403):
            challenge = self._challenge(response)
            nonce = response.headers.get("dpop-nonce")
            if challenge.error == "use_dpop_nonce" and nonce and self._dpop and not nonce_retried:
                nonce_retried = True
                self._dpop.nonces[_htu(request.url)] = nonce
            elif response.status_code == 401 and not reauthorized:
                reauthorized = True
                async with self._lock:
                    if self._tokens is tokens:  # not renewed meanwhile by another request
                        await self._authorize(challenge, step_up=False)
            elif (
                response.status_code == 403
                and challenge.error == "insufficient_scope"
                and step_ups < self.max_step_ups
                and not set(challenge.scope) <= set(self._requested)
            ):
                step_ups += 1
                async with self._lock:
                    await self._authorize(challenge, step_up=True)
            else:
                return
            tokens = self._tokens
            self._sign(request, tokens)
            response = yield request

    # --- tokens ---------------------------------------------------------------------

    async def _usable_tokens(self) -> Tokens | None:
        if not self._loaded:
            self._loaded = True
            stored = await self.store.load(self._key)
            self._tokens = Tokens.from_json(stored) if stored else None
        tokens = self._tokens
        if tokens is None or not tokens.expired:
            return tokens
        if tokens.refresh_token is not None:
            async with httpx.AsyncClient(timeout=self.timeout) as http:
                try:
                    discovery = self._discovery or await discover(http, self.server_url, None)
                    await self._keep(await self._refresh(http, discovery, tokens))
                    return self._tokens
                except AuthorizationError as exc:
                    log.info("refresh failed (%s); authorizing again", exc)
        await self._keep(None)
        return None

    async def _keep(self, tokens: Tokens | None) -> None:
        self._tokens = tokens
        await self.store.save(self._key, tokens.to_json() if tokens else None)

    async def _refresh(self, http: httpx.AsyncClient, discovery: Discovery, old: Tokens) -> Tokens:
        assert old.refresh_token is not None
        ctx = self._context(http, discovery, None)
        form = {
            "grant_type": "refresh_token",
            "refresh_token": old.refresh_token,
            "resource": discovery.resource,
        }
        client = await self.grant.client(ctx)
        return await request_tokens(http, discovery.server, form, client, self._dpop, previous=old)

    # --- authorization -------------------------------------------------------------

    def _context(
        self, http: httpx.AsyncClient, discovery: Discovery, scope: list[str] | None
    ) -> GrantContext:
        return GrantContext(http, discovery, scope, self.store, self._dpop)

    async def _authorize(self, challenge: challenges.Challenge, *, step_up: bool) -> None:
        async with httpx.AsyncClient(timeout=self.timeout) as http:
            discovery = await discover(http, self.server_url, challenge.resource_metadata)
            self._discovery = discovery
            self._use_dpop(discovery)
            previous = self._tokens
            if previous is not None and previous.issuer != discovery.server.issuer:
                previous = None  # a token of another authorization server: start over
            scope = self._scope(challenge, discovery, step_up)
            if not step_up and previous is not None and previous.refresh_token is not None:
                try:
                    await self._keep(await self._refresh(http, discovery, previous))
                    return
                except AuthorizationError as exc:
                    log.info("refresh failed (%s); authorizing again", exc)
            tokens = await self.grant.obtain(self._context(http, discovery, scope))
            self._requested = scope or []
            await self._keep(tokens)

    def _scope(
        self, challenge: challenges.Challenge, discovery: Discovery, step_up: bool
    ) -> list[str] | None:
        """The challenge's scopes, else the resource's ``scopes_supported``, else none;
        a step-up keeps what was asked before (SEP-2350)."""
        offered = discovery.protected.scopes_supported if discovery.protected else []
        wanted = challenge.scope or offered
        if step_up:
            wanted = list(dict.fromkeys([*self._requested, *wanted]))
        offline = "offline_access"
        if wanted and self.grant.wants_refresh and offline in discovery.server.scopes_supported:
            wanted = [*wanted, offline] if offline not in wanted else wanted
        return list(wanted) or None

    def _use_dpop(self, discovery: Discovery) -> None:
        offered = DPOP_ALGORITHM in discovery.server.dpop_signing_alg_values_supported
        if self._dpop is None and (self.dpop or (self.dpop is None and offered)):
            self._dpop = DpopState()

    # --- requests ------------------------------------------------------------------

    def _challenge(self, response: httpx.Response) -> challenges.Challenge:
        found = challenges.parse(response.headers.get_list("www-authenticate"))
        return challenges.merged(found, "dpop" if self._dpop else "bearer")

    def _sign(self, request: httpx.Request, tokens: Tokens | None) -> None:
        for name in ("authorization", "dpop"):
            request.headers.pop(name, None)
        if tokens is None:
            return
        request.headers["authorization"] = f"{tokens.scheme} {tokens.access_token}"
        if tokens.scheme == "DPoP" and self._dpop is not None:
            htu = _htu(request.url)
            request.headers["dpop"] = self._dpop.key.proof(
                request.method,
                htu,
                nonce=self._dpop.nonces.get(htu),
                access_token=tokens.access_token,
            )
