"""``python -m examples.conformance_client URL``: our client under the official MCP
conformance harness in client mode (``conformance client --command ...``).

The harness names the scenario in ``MCP_CONFORMANCE_SCENARIO``, the wire in
``MCP_CONFORMANCE_PROTOCOL_VERSION`` and passes credentials and other scenario data as
JSON in ``MCP_CONFORMANCE_CONTEXT``. Only the public client API is used:
``connect_http`` and ``mcp_foundry.runtime.http.oauth``. The harness's mock
authorization servers approve every request at once, so the browser step is done
headlessly: GET the authorization URL and read the redirect's ``Location``.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import anyio
import httpx
from mcp_foundry.runtime.http import connect_http
from mcp_foundry.runtime.http.oauth import (
    AuthorizationCode,
    ClientCredentials,
    ClientInfo,
    ClientMetadata,
    Discovery,
    JwtBearer,
    OAuth,
    query_params,
)
from pydantic import BaseModel

log = logging.getLogger("conformance_client")

REDIRECT_URI = "http://localhost:3000/callback"
CLIENT_METADATA_URL = "https://conformance-test.local/client-metadata.json"
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
REQUEST_TIMEOUT = 100.0
"""Seconds per request, a sign-in included: the harness starts every scenario's client at
once, and on a small machine one authorization then takes tens of seconds."""
Scenario = Callable[[str], Awaitable[None]]
SCENARIOS: dict[str, Scenario] = {}


def scenario(*names: str) -> Callable[[Scenario], Scenario]:
    def register(fn: Scenario) -> Scenario:
        for name in names:
            SCENARIOS[name] = fn
        return fn

    return register


def context() -> dict[str, Any]:
    raw = os.environ.get("MCP_CONFORMANCE_CONTEXT")
    value = json.loads(raw) if raw else {}
    return value if isinstance(value, dict) else {}


def wire_version() -> str | None:
    """Pin the harness's legacy wire; on the modern wire let the client probe
    (``server/discover``) and fall back, as some modern-labelled mocks only speak
    ``initialize``."""
    version = os.environ.get("MCP_CONFORMANCE_PROTOCOL_VERSION")
    return version if version and version < "2026" else None


def _plain(value: Any) -> dict[str, Any]:
    if isinstance(value, BaseModel):
        dumped = value.model_dump(by_alias=True, exclude_none=True)
        return dumped if isinstance(dumped, dict) else {}
    return dict(value) if isinstance(value, dict) else {}


async def accept_with_defaults(params: Any) -> dict[str, Any]:
    """Accept an elicitation, filling each field with its schema default (SEP-1034)."""
    schema = _plain(params).get("requestedSchema") or {}
    fields = schema.get("properties") or {}
    content = {name: spec["default"] for name, spec in fields.items() if "default" in spec}
    return {"action": "accept", "content": content}


async def empty_sampling(_params: Any) -> dict[str, Any]:
    return {"role": "assistant", "content": {"type": "text", "text": ""}, "model": "conformance"}


async def no_roots(_params: Any) -> dict[str, Any]:
    return {"roots": []}


def _stub_arguments(schema: dict[str, Any]) -> dict[str, Any]:
    """The least arguments a tool's ``inputSchema`` requires."""
    by_type = {"string": "x", "integer": 0, "number": 0, "boolean": False, "object": {}}
    props = schema.get("properties") or {}
    return {
        name: by_type.get(str((props.get(name) or {}).get("type")), "x")
        for name in schema.get("required") or []
    }


async def _session(
    url: str,
    body: Callable[[Any], Awaitable[None]],
    *,
    auth: httpx.Auth | None = None,
    handlers: Mapping[str, Callable[[Any], Awaitable[Any]]] | None = None,
) -> None:
    async with connect_http(url, auth=auth, connect=False, timeout=REQUEST_TIMEOUT) as client:
        for method, handler in (handlers or {}).items():
            client.on_request(method, handler)
        await client.connect(wire_version(), probe_timeout=None)
        await body(client)


async def _tools_then(client: Any, *calls: tuple[str, dict[str, Any]]) -> None:
    await client.list_tools()
    for name, arguments in calls:
        await client.call_tool(name, arguments)


@scenario("initialize", "json-schema-ref-no-deref")
async def list_tools(url: str) -> None:
    await _session(url, _tools_then)


@scenario("tools_call", "http-standard-headers")
async def add_numbers(url: str) -> None:
    await _session(url, lambda c: _tools_then(c, ("add_numbers", {"a": 5, "b": 3})))


@scenario("request-metadata")
async def every_capability(url: str) -> None:
    handlers = {
        "sampling/createMessage": empty_sampling,
        "roots/list": no_roots,
        "elicitation/create": accept_with_defaults,
    }

    async def body(client: Any) -> None:
        # this scenario's server advertises no capabilities (the check is the _meta of
        # every request, discovery included); a client does not call what is not offered
        if "tools" in client.server_capabilities:
            await _tools_then(client, ("add_numbers", {"a": 5, "b": 3}))

    await _session(url, body, handlers=handlers)


@scenario("sse-retry")
async def reconnection(url: str) -> None:
    await _session(url, lambda c: _tools_then(c, ("test_reconnection", {})))


@scenario("elicitation-sep1034-client-defaults")
async def elicitation_defaults(url: str) -> None:
    body = lambda c: _tools_then(c, ("test_client_elicitation_defaults", {}))  # noqa: E731
    await _session(url, body, handlers={"elicitation/create": accept_with_defaults})


@scenario("json-schema-2020-12-preservation")
async def echo_schema(url: str) -> None:
    async def body(client: Any) -> None:
        listed = await client.call("tools/list", {}, raw=True)
        focal = next(t for t in listed["tools"] if t["name"] == "json_schema_2020_12_tool")
        await client.call_tool("json_schema_echo", {"schema": focal["inputSchema"]})

    await _session(url, body)


@scenario("http-invalid-tool-headers")
async def call_every_tool(url: str) -> None:
    async def body(client: Any) -> None:
        for tool in (await client.call("tools/list", {}, raw=True))["tools"]:
            try:
                await client.call_tool(tool["name"], _stub_arguments(tool["inputSchema"]))
            except Exception as exc:  # the scenario tolerates refused calls
                log.info("%s: %s", tool["name"], exc)

    await _session(url, body)


@scenario("http-custom-headers")
async def replay_tool_calls(url: str) -> None:
    async def body(client: Any) -> None:
        surfaced = {t["name"] for t in (await client.call("tools/list", {}, raw=True))["tools"]}
        for call in context().get("toolCalls") or []:
            if call["name"] in surfaced:
                try:
                    await client.call_tool(call["name"], call.get("arguments") or {})
                except Exception as exc:
                    log.info("%s: %s", call["name"], exc)

    await _session(url, body)


@scenario("sep-2322-client-request-state")
async def request_state(url: str) -> None:
    async def confirm(_params: Any) -> dict[str, Any]:
        return {"action": "accept", "content": {"confirmed": True}}

    names = ("test_mrtr_echo_state", "test_mrtr_unrelated", "test_mrtr_no_state")
    calls: list[tuple[str, dict[str, Any]]] = [
        (name, {}) for name in (*names, "test_mrtr_no_result_type")
    ]
    await _session(url, lambda c: _tools_then(c, *calls), handlers={"elicitation/create": confirm})


# --- authorization -------------------------------------------------------------------


class FollowRedirect:
    """The mock authorization server approves at once: its answer is the redirect."""

    redirect_uri = REDIRECT_URI

    async def authorize(self, authorization_url: str) -> dict[str, str]:
        async with httpx.AsyncClient(timeout=10) as http:
            response = await http.get(authorization_url, follow_redirects=False)
        location = response.headers.get("location")
        if location is None:
            raise RuntimeError(f"the authorization endpoint answered {response.status_code}")
        return query_params(location)


async def _authorized_session(url: str, auth: OAuth) -> None:
    async def body(client: Any) -> None:
        tools = (await client.call("tools/list", {}, raw=True))["tools"]
        if tools:
            await client.call_tool(tools[0]["name"], {})

    await _session(url, body, auth=auth, handlers={"elicitation/create": accept_with_defaults})


async def authorization_code(url: str) -> None:
    data = context()
    client = None
    if data.get("client_id"):
        client = ClientInfo(data["client_id"], data.get("client_secret"))
    metadata = ClientMetadata(
        client_name="mcp-foundry conformance client", metadata_url=CLIENT_METADATA_URL
    )
    grant = AuthorizationCode(FollowRedirect(), metadata, client=client)
    await _authorized_session(url, OAuth(url, grant))


@scenario("auth/client-credentials-basic", "auth/client-credentials-jwt")
async def client_credentials(url: str) -> None:
    data = context()
    grant = ClientCredentials(
        data["client_id"],
        client_secret=data.get("client_secret"),
        private_key=data.get("private_key_pem"),
        signing_algorithm=data.get("signing_algorithm", "ES256"),
    )
    await _authorized_session(url, OAuth(url, grant))


@scenario("auth/wif-jwt-bearer")
async def workload_identity(url: str) -> None:
    data = context()

    async def workload_token(_discovery: Discovery) -> str:
        return str(data["valid_jwt"])

    await _authorized_session(url, OAuth(url, JwtBearer(data["client_id"], workload_token)))


@scenario("auth/enterprise-managed-authorization")
async def enterprise_managed(url: str) -> None:
    """SEP-990: exchange the IdP's ID token for an ID-JAG (RFC 8693) at the enterprise
    IdP, then present it as a JWT-bearer assertion to the MCP authorization server."""
    data = context()

    async def id_jag(discovery: Discovery) -> str:
        form = {
            "grant_type": TOKEN_EXCHANGE,
            "requested_token_type": "urn:ietf:params:oauth:token-type:id-jag",
            "subject_token": data["idp_id_token"],
            "subject_token_type": "urn:ietf:params:oauth:token-type:id_token",
            "audience": discovery.server.issuer,
            "resource": discovery.resource,
            "client_id": data["idp_client_id"],
        }
        async with httpx.AsyncClient(timeout=10) as http:
            response = await http.post(data["idp_token_endpoint"], data=form)
        response.raise_for_status()
        return str(response.json()["access_token"])

    grant = JwtBearer(data["client_id"], id_jag, client_secret=data.get("client_secret"))
    await _authorized_session(url, OAuth(url, grant))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m examples.conformance_client URL", file=sys.stderr)
        return 2
    logging.basicConfig(
        stream=sys.stderr, level=logging.INFO, format="%(levelname)s %(name)s: %(message)s"
    )
    name = os.environ.get("MCP_CONFORMANCE_SCENARIO", "")
    run = SCENARIOS.get(name) or (authorization_code if name.startswith("auth/") else None)
    if run is None:
        print(f"unknown scenario {name!r}", file=sys.stderr)
        return 2
    anyio.run(run, args[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
