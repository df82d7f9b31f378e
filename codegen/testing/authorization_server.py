"""A small OAuth 2.1 authorization server on loopback, for tests only.

Enough of one for a real flow against a protected MCP server: RFC 8414 metadata,
dynamic client registration (RFC 7591), ``/authorize`` that approves at once, a token
endpoint (authorization code with S256 PKCE, refresh tokens for clients registered for
them, client credentials), RFC 7662 introspection and a JWKS. Access tokens are RFC 9068
JWTs signed by joserfc, bound to the ``resource`` asked for (RFC 8707). It keeps
everything in memory, including what clients did (for tests to assert on), and trusts any
loopback redirect; never run it anywhere else.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey
from mcp_foundry.testing.loopback import serving
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

LOOPBACK = ("127.0.0.1", "localhost", "[::1]", "::1")
_ASSIGNED = ("client_id", "client_secret")
"""Registration fields the server assigns; a client's own values for them are ignored."""


@dataclass(frozen=True)
class _Access:
    """What a token grants: to which client, which scopes, for which resource."""

    client_id: str
    scope: str
    resource: str | None


@dataclass(frozen=True)
class _Code:
    access: _Access
    redirect_uri: str
    challenge: str


@dataclass
class AuthorizationServer:
    """The server's state; :func:`running` serves it. ``issuer`` is set once bound."""

    issuer: str = ""
    scopes_supported: tuple[str, ...] = ()
    token_lifetime_s: int = 300
    keys: KeySet = field(default_factory=lambda: KeySet([_new_key()]))
    clients: dict[str, dict[str, Any]] = field(default_factory=dict)
    codes: dict[str, _Code] = field(default_factory=dict)
    refresh_tokens: dict[str, _Access] = field(default_factory=dict)
    withheld_scopes: frozenset[str] = frozenset()
    """Scopes never granted, as if the user declined them (tests of a step-up that fails)."""
    response_iss: str | None = None
    """The ``iss`` of authorization responses when not ``issuer`` (tests of RFC 9207)."""
    authorizations: list[dict[str, str]] = field(default_factory=list)
    """The query of every ``/authorize`` visit, in order."""
    grants: list[str] = field(default_factory=list)
    """The grant type of every token the token endpoint issued, in order."""
    issued: list[str] = field(default_factory=list)
    """Every access and refresh token handed out over HTTP."""

    # -- tokens ----------------------------------------------------------------------------

    def mint(
        self,
        *,
        audience: str | list[str],
        scope: str = "",
        subject: str = "user-1",
        client_id: str = "test-client",
        issuer: str | None = None,
        lifetime_s: int | None = None,
        not_before: int | None = None,
        key: RSAKey | None = None,
    ) -> str:
        """A signed access token; tests pass odd values to make bad ones."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": issuer if issuer is not None else self.issuer,
            "sub": subject,
            "aud": audience,
            "client_id": client_id,
            "scope": scope,
            "iat": now,
            "exp": now + (self.token_lifetime_s if lifetime_s is None else lifetime_s),
            "jti": secrets.token_urlsafe(12),
        }
        if not_before is not None:
            claims["nbf"] = not_before
        signer = key if key is not None else self.keys.keys[-1]
        header = {"alg": "RS256", "typ": "at+jwt", "kid": signer.kid}
        return jwt.encode(header, claims, signer)

    def rotate_key(self) -> RSAKey:
        """Sign from now on with a new key, published next to the old one."""
        key = _new_key()
        self.keys = KeySet([*self.keys.keys, key])
        return key

    def register(
        self,
        redirect_uris: Iterable[str] = (),
        *,
        confidential: bool = False,
        metadata: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Register a client directly (what ``/register`` does over HTTP with the body's
        ``metadata``, which may name the grant types and auth method, RFC 7591 §2)."""
        default_method = "client_secret_post" if confidential else "none"
        client: dict[str, Any] = {
            "grant_types": ["authorization_code", "client_credentials"],
            "response_types": ["code"],
            "token_endpoint_auth_method": default_method,
            **{k: v for k, v in (metadata or {}).items() if not k.startswith(_ASSIGNED)},
            "client_id": secrets.token_urlsafe(12),
            "client_id_issued_at": int(time.time()),
            "redirect_uris": list(redirect_uris),
        }
        if confidential:
            client["client_secret"] = secrets.token_urlsafe(24)
            client["client_secret_expires_at"] = 0
        self.clients[client["client_id"]] = client
        return client

    def token_for(self, resource: str, scope: str = "") -> str:
        """Obtain a token over HTTP as a fresh confidential client (client credentials)."""
        client = self.register(confidential=True)
        response = httpx.post(
            f"{self.issuer}/token",
            data={
                "grant_type": "client_credentials",
                "client_id": client["client_id"],
                "client_secret": client["client_secret"],
                "scope": scope,
                "resource": resource,
            },
            timeout=10,
        )
        response.raise_for_status()
        token: str = response.json()["access_token"]
        return token

    # -- endpoints -------------------------------------------------------------------------

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/oauth-authorization-server", self._metadata),
                Route("/register", self._register, methods=["POST"]),
                Route("/authorize", self._authorize),
                Route("/token", self._token, methods=["POST"]),
                Route("/introspect", self._introspect, methods=["POST"]),
                Route("/jwks", self._jwks),
            ]
        )

    async def _metadata(self, _request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "registration_endpoint": f"{self.issuer}/register",
                "introspection_endpoint": f"{self.issuer}/introspect",
                "jwks_uri": f"{self.issuer}/jwks",
                "scopes_supported": list(self.scopes_supported),
                "response_types_supported": ["code"],
                "grant_types_supported": [
                    "authorization_code",
                    "refresh_token",
                    "client_credentials",
                ],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["none", "client_secret_post"],
                "authorization_response_iss_parameter_supported": True,
            }
        )

    async def _jwks(self, _request: Request) -> Response:
        return JSONResponse(dict(self.keys.as_dict(private=False)))

    async def _register(self, request: Request) -> Response:
        body = await request.json()
        uris = body.get("redirect_uris") if isinstance(body, dict) else None
        if not isinstance(uris, list) or not all(_loopback(u) for u in uris):
            return _error("invalid_redirect_uri", 400)
        method = body.get("token_endpoint_auth_method", "none")
        client = self.register(uris, confidential=method != "none", metadata=body)
        return JSONResponse(client, status_code=201)

    async def _authorize(self, request: Request) -> Response:
        """Approve at once (there is no user here) and redirect back with a code."""
        q = request.query_params
        self.authorizations.append(dict(q))
        client = self.clients.get(q.get("client_id", ""))
        redirect_uri = q.get("redirect_uri", "")
        if client is None or redirect_uri not in client["redirect_uris"]:
            return _error("invalid_request", 400)
        if q.get("response_type") != "code" or q.get("code_challenge_method") != "S256":
            return _error("invalid_request", 400)
        code = secrets.token_urlsafe(24)
        access = _Access(client["client_id"], self._granted(q.get("scope", "")), q.get("resource"))
        self.codes[code] = _Code(access, redirect_uri, q.get("code_challenge", ""))
        answer = {"code": code, "iss": self.response_iss or self.issuer}
        if "state" in q:
            answer["state"] = q["state"]
        separator = "&" if "?" in redirect_uri else "?"
        return RedirectResponse(f"{redirect_uri}{separator}{urlencode(answer)}", 302)

    async def _token(self, request: Request) -> Response:
        form = await request.form()
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        client = self._client(fields, request)
        if client is None:
            return _error("invalid_client", 401)
        grant_type = fields.get("grant_type", "")
        access = self._grant(grant_type, fields, client)
        if isinstance(access, Response):
            return access
        if not access.resource:
            return _error("invalid_target", 400)
        token = self.mint(audience=access.resource, scope=access.scope, client_id=access.client_id)
        body: dict[str, Any] = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": self.token_lifetime_s,
            "scope": access.scope,
        }
        self.issued.append(token)
        if grant_type != "client_credentials" and "refresh_token" in client["grant_types"]:
            refresh = secrets.token_urlsafe(24)
            self.refresh_tokens[refresh] = access
            self.issued.append(refresh)
            body["refresh_token"] = refresh
        self.grants.append(grant_type)
        return JSONResponse(body, headers={"cache-control": "no-store"})

    def _grant(
        self, grant_type: str, fields: dict[str, str], client: dict[str, Any]
    ) -> _Access | Response:
        """What the grant in ``fields`` entitles ``client`` to, or the error answer."""
        if grant_type == "authorization_code":
            code = self.codes.pop(fields.get("code", ""), None)
            if (
                code is None
                or code.access.client_id != client["client_id"]
                or code.redirect_uri != fields.get("redirect_uri")
                or _s256(fields.get("code_verifier", "")) != code.challenge
            ):
                return _error("invalid_grant", 400)
            return replace(code.access, resource=fields.get("resource") or code.access.resource)
        if grant_type == "refresh_token" and "refresh_token" in client["grant_types"]:
            access = self.refresh_tokens.pop(fields.get("refresh_token", ""), None)
            if access is None or access.client_id != client["client_id"]:
                return _error("invalid_grant", 400)
            return access
        if grant_type == "client_credentials" and "client_secret" in client:
            scope = self._granted(fields.get("scope", ""))
            return _Access(client["client_id"], scope, fields.get("resource"))
        return _error("unsupported_grant_type", 400)

    def _granted(self, scope: str) -> str:
        return " ".join(s for s in scope.split() if s not in self.withheld_scopes)

    async def _introspect(self, request: Request) -> Response:
        """RFC 7662, for callers holding confidential client credentials (Basic auth)."""
        client = self._client({}, request)
        if client is None or "client_secret" not in client:
            return _error("invalid_client", 401)
        form = await request.form()
        token = form.get("token")
        try:
            claims = jwt.decode(str(token), self.keys, algorithms=["RS256"]).claims
            jwt.JWTClaimsRegistry(iss={"essential": True, "value": self.issuer}).validate(claims)
        except (JoseError, ValueError):
            return JSONResponse({"active": False})
        return JSONResponse({"active": claims["exp"] > time.time(), **claims})

    def _client(self, fields: dict[str, str], request: Request) -> dict[str, Any] | None:
        """The authenticated client: Basic auth, form credentials, or a public client id."""
        client_id, secret = fields.get("client_id"), fields.get("client_secret")
        basic = request.headers.get("authorization", "")
        if basic.lower().startswith("basic "):
            raw = base64.b64decode(basic[6:]).decode()
            client_id, _, secret = raw.partition(":")
        client = self.clients.get(client_id or "")
        if client is None:
            return None
        expected = client.get("client_secret")
        if expected is not None and not secrets.compare_digest(expected, secret or ""):
            return None
        return client


@contextmanager
def running(scopes_supported: Iterable[str] = (), **options: Any) -> Iterator[AuthorizationServer]:
    """An :class:`AuthorizationServer` listening on 127.0.0.1 (a free port) meanwhile;
    ``options`` set its other fields (``token_lifetime_s``, ``withheld_scopes`` …)."""
    server = AuthorizationServer(scopes_supported=tuple(scopes_supported), **options)

    def app(base: str) -> Starlette:
        server.issuer = base
        return server.app()

    with serving(app):
        yield server


def _new_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": secrets.token_urlsafe(8), "use": "sig"})


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _loopback(uri: object) -> bool:
    return isinstance(uri, str) and urlsplit(uri).hostname in LOOPBACK


def _error(code: str, status: int) -> Response:
    return JSONResponse({"error": code}, status_code=status)
