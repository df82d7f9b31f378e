"""A small real authorization server and a protected MCP server on one loopback port.

The MCP server is our own runtime (an authoring ``App``) behind a bearer-token check;
the authorization server (issuer ``<base>/as``, so its metadata sits at the RFC 8414
path-inserted URL) registers clients, redirects with ``code``/``state``/``iss``, checks
PKCE and the client at its token endpoint, and issues short-lived access tokens with
refresh tokens. ``Settings`` bends it for the negative tests; ``Journal`` records what
the client did.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import orjson
from mcp_foundry.authoring import App
from mcp_foundry.runtime.http import create_app
from mcp_foundry.runtime.http.serve import McpServer, server_config
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

app = App("protected", "1.0.0")


@app.tool()
def whoami() -> str:
    """Needs only a valid token."""
    return "a protected answer"


@app.tool()
def admin() -> str:
    """Needs the ``mcp:admin`` scope (a step-up)."""
    return "an admin answer"


@dataclass
class Settings:
    expires_in: int = 3600
    resource: str | None = None
    """Overrides the protected-resource metadata's ``resource``."""
    iss: str | None = None
    """Overrides the ``iss`` sent with the authorization response."""
    grant_admin: bool = True
    """Whether asking for ``mcp:admin`` gets it."""


@dataclass
class Journal:
    registrations: int = 0
    authorizations: list[dict[str, str]] = field(default_factory=list)
    grants: list[str] = field(default_factory=list)
    clients: dict[str, dict[str, Any]] = field(default_factory=dict)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, set[str]] = field(default_factory=dict)
    """Access token → scopes (with its expiry in ``expiry``)."""
    expiry: dict[str, float] = field(default_factory=dict)
    refresh: dict[str, set[str]] = field(default_factory=dict)


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class Protected:
    """The ASGI app: ``/mcp`` behind the token check, the metadata, ``/as/*``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.journal = Journal()
        self.base = ""
        self.mcp = create_app(app.runtime(), tool_schema=app.tool_input_schema)
        self.routes = Starlette(
            routes=[
                Route("/.well-known/oauth-protected-resource/mcp", self.prm),
                Route("/.well-known/oauth-authorization-server/as", self.as_metadata),
                Route("/as/register", self.register, methods=["POST"]),
                Route("/as/authorize", self.authorize),
                Route("/as/token", self.token, methods=["POST"]),
            ]
        )

    @property
    def issuer(self) -> str:
        return self.base + "/as"

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/mcp":
            await self.guard(scope, receive, send)
        elif scope["type"] == "http":
            await self.routes(scope, receive, send)
        else:
            await self.mcp(scope, receive, send)

    # --- the resource server -----------------------------------------------------

    async def guard(self, scope: Any, receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        token = headers.get("authorization", "").removeprefix("Bearer ")
        prm = self.base + "/.well-known/oauth-protected-resource/mcp"
        granted = self.journal.tokens.get(token)
        if granted is None or self.journal.expiry[token] < time.time():
            challenge = f'Bearer resource_metadata="{prm}", scope="mcp:read"'
            response: Response = JSONResponse(
                {"error": "invalid_token"}, 401, {"www-authenticate": challenge}
            )
            await response(scope, receive, send)
            return
        message = orjson.loads(body) if body else {}
        wants_admin = (
            isinstance(message, dict)
            and message.get("method") == "tools/call"
            and message.get("params", {}).get("name") == "admin"
        )
        if wants_admin and "mcp:admin" not in granted:
            challenge = (
                f'Bearer error="insufficient_scope", scope="mcp:admin", resource_metadata="{prm}"'
            )
            response = JSONResponse(
                {"error": "insufficient_scope"}, 403, {"www-authenticate": challenge}
            )
            await response(scope, receive, send)
            return
        sent = False

        async def replay() -> Any:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.mcp(scope, replay, send)

    async def prm(self, request: Request) -> Response:
        return JSONResponse(
            {
                "resource": self.settings.resource or self.base + "/mcp",
                "authorization_servers": [self.issuer],
                "scopes_supported": ["mcp:read", "mcp:admin"],
            }
        )

    # --- the authorization server ---------------------------------------------------

    async def as_metadata(self, request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": self.issuer + "/authorize",
                "token_endpoint": self.issuer + "/token",
                "registration_endpoint": self.issuer + "/register",
                "response_types_supported": ["code"],
                "grant_types_supported": ["authorization_code", "refresh_token"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_post"],
                "scopes_supported": ["mcp:read", "mcp:admin", "offline_access"],
                "authorization_response_iss_parameter_supported": True,
            }
        )

    async def register(self, request: Request) -> Response:
        body = await request.json()
        self.journal.registrations += 1
        client_id, secret = secrets.token_hex(8), secrets.token_hex(16)
        self.journal.clients[client_id] = {**body, "client_secret": secret}
        return JSONResponse(
            {"client_id": client_id, "client_secret": secret, **body}, status_code=201
        )

    async def authorize(self, request: Request) -> Response:
        query = dict(request.query_params)
        self.journal.authorizations.append(query)
        client = self.journal.clients.get(query.get("client_id", ""))
        if client is None or query.get("redirect_uri") not in client["redirect_uris"]:
            return JSONResponse({"error": "invalid_client"}, 400)
        if query.get("code_challenge_method") != "S256":
            return JSONResponse({"error": "invalid_request"}, 400)
        scopes = set(query.get("scope", "").split())
        if not self.settings.grant_admin:
            scopes.discard("mcp:admin")
        code = secrets.token_urlsafe(16)
        self.journal.codes[code] = {**query, "scopes": scopes}
        answer = {
            "code": code,
            "state": query.get("state", ""),
            "iss": self.settings.iss or self.issuer,
        }
        return RedirectResponse(f"{query['redirect_uri']}?{urlencode(answer)}", 302)

    def _issue(self, scopes: set[str]) -> dict[str, Any]:
        access, refresh = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        self.journal.tokens[access] = scopes
        self.journal.expiry[access] = time.time() + self.settings.expires_in
        self.journal.refresh[refresh] = scopes
        return {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.settings.expires_in,
            "refresh_token": refresh,
            "scope": " ".join(sorted(scopes)),
        }

    async def token(self, request: Request) -> Response:
        form = dict(await request.form())
        client = self.journal.clients.get(str(form.get("client_id")))
        if client is None or client["client_secret"] != form.get("client_secret"):
            return JSONResponse({"error": "invalid_client"}, 401)
        grant = str(form.get("grant_type"))
        self.journal.grants.append(grant)
        if form.get("resource") != self.base + "/mcp":
            return JSONResponse({"error": "invalid_target"}, 400)
        if grant == "authorization_code":
            issued = self.journal.codes.pop(str(form.get("code")), None)
            if issued is None or issued["code_challenge"] != _s256(str(form["code_verifier"])):
                return JSONResponse({"error": "invalid_grant"}, 400)
            return JSONResponse(self._issue(issued["scopes"]))
        if grant == "refresh_token":
            scopes = self.journal.refresh.pop(str(form.get("refresh_token")), None)
            if scopes is None:
                return JSONResponse({"error": "invalid_grant"}, 400)
            return JSONResponse(self._issue(scopes))
        return JSONResponse({"error": "unsupported_grant_type"}, 400)


@contextmanager
def protected_server(settings: Settings | None = None) -> Iterator[Protected]:
    """``Protected`` served by uvicorn on a free 127.0.0.1 port, in a thread."""
    asgi = Protected(settings or Settings())
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    host, port = sock.getsockname()[:2]
    asgi.base = f"http://{host}:{port}"
    server = McpServer(server_config(asgi, host, port, log_level="warning"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield asgi
    finally:
        server.should_exit = True
        thread.join(10)
