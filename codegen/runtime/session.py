"""A connection to one client: the legacy ``initialize`` session, and on stdio also the
channel modern requests arrive on (versioning.mdx: a request with modern ``_meta`` is
served statelessly; ``initialize`` selects legacy semantics for the process/session).

Before ``initialize`` only ``ping`` and modern requests are served; anything else is
refused with -32602, which tells a modern client its ``_meta`` is missing and a legacy
client that it skipped the handshake (lifecycle.mdx leaves the code to implementations).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import anyio
from mcp_foundry.bindings import MethodSpec
from mcp_foundry.runtime import dispatch, project, revisions, wire
from mcp_foundry.runtime.access import Owner, owner_of
from mcp_foundry.runtime.context import LOG_LEVELS, RequestContext
from mcp_foundry.runtime.engine import Peer
from mcp_foundry.runtime.errors import (
    INVALID_PARAMS,
    INVALID_REQUEST,
    RpcError,
    invalid_params,
    method_not_found,
)
from mcp_foundry.runtime.revisions import PROTOCOL_VERSION_KEY
from mcp_foundry.runtime.transport import Sink
from mcp_foundry.runtime.wire import RequestId
from pydantic import ValidationError

if TYPE_CHECKING:
    from mcp_foundry.runtime.server import Server
    from mcp_foundry.runtime.transport import TransportFacts

log = logging.getLogger("mcp_foundry.runtime")

_RUNTIME_DEFAULTS = frozenset({"logging/setLevel", "resources/subscribe", "resources/unsubscribe"})
"""Legacy methods the runtime answers ``{}`` to itself unless the handler implements them."""


def _teardown(listen_id: RequestId) -> dict[str, Any]:
    return {"requestId": listen_id, "reason": "the server is closing this subscription"}


class LegacySession:
    """One client connection; see the package docstring for the transport contract."""

    def __init__(self, server: Server, sink: Sink, facts: TransportFacts) -> None:
        self.server = server
        self.facts = facts
        self.id = secrets.token_urlsafe(24)
        self.revision: str | None = None
        self.initialized = False
        self.client_capabilities: dict[str, Any] = {}
        self.client_info: dict[str, Any] | None = None
        self.log_level: str | None = None
        self.subscribed: set[str] = set()
        self.owner: Owner | None = owner_of(facts.access) if facts.access is not None else None
        """Whose token opened the session (``None`` without authorization): a request
        with another's token must not use it, on any instance (security best practices)."""
        self.close_stream: Callable[[RequestId], Awaitable[None]] | None = None
        """Set by HTTP: end the SSE stream of a request early (``ctx.close_sse_stream``)."""
        self.shared = False
        """Kept in the server's shared store (HTTP behind a balancer): the store, not the
        server's session loop, fans notifications out to it (``Server.legacy_fanout``)."""
        self.on_change: Callable[[], Awaitable[None]] | None = None
        """Set by HTTP for shared sessions: write the log level and subscriptions through."""
        self._facts_by_id: dict[RequestId, TransportFacts] = {}
        self.route_meta: dict[Any, Any] = {}
        """Per route, the handler's ``_meta`` made from this session once (dispatch)."""
        self._handler_caps: dict[str, Any] | None = None
        self._closing: anyio.Event | None = None
        self.peer = Peer(
            sink,
            self._on_request,
            self._on_notification,
            handler_timeout=server.request_timeout,
            batching=self._batching,
        )

    async def __aenter__(self) -> LegacySession:
        await self.peer.__aenter__()
        self.server.sessions.add(self)
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        try:
            await self.close()
        finally:
            await self.peer.__aexit__(*exc_info)

    def _batching(self) -> bool:
        return self.revision is not None and revisions.bindings(self.revision).batching

    def share(self, id_prefix: str, on_change: Callable[[], Awaitable[None]]) -> None:
        """Be kept in a shared store: our request ids carry ``id_prefix`` (the instance
        waiting for an answer), and settings changes are written through ``on_change``."""
        self.shared = True
        self.peer.id_prefix = id_prefix
        self.on_change = on_change

    def snapshot(self) -> dict[str, Any]:
        """What another instance needs to serve this initialized session (``restore``)."""
        return {
            "revision": self.revision,
            "capabilities": self.client_capabilities,
            "client_info": self.client_info,
            "log_level": self.log_level,
            "subscribed": sorted(self.subscribed),
            "owner": self.owner,
        }

    def restore(self, session_id: str, state: dict[str, Any]) -> None:
        """Become a replica of an initialized session another instance started."""
        self.id = session_id
        self.revision = state["revision"]
        self.initialized = True
        self.client_capabilities = state.get("capabilities") or {}
        self.client_info = state.get("client_info")
        owner = state.get("owner")
        self.owner = (owner[0], owner[1]) if owner else None
        self.update(state)

    def update(self, state: dict[str, Any]) -> None:
        """Take the log level and subscriptions another instance changed."""
        self.log_level = state.get("log_level")
        self.subscribed = set(state.get("subscribed") or ())

    # ---- input -------------------------------------------------------------------------

    async def feed(self, message: Any, facts: TransportFacts | None = None) -> None:
        """One decoded inbound message or batch; returns once it is accepted."""
        if (
            facts is not None
            and isinstance(message, dict)
            and "method" in message
            and wire.is_request_id(message.get("id"))
        ):
            self._facts_by_id[message["id"]] = facts
        await self.peer.feed(message)

    async def answer(self, message: dict[str, Any], facts: TransportFacts) -> None:
        """One checked request, handled in the caller's task; its answer goes to the sink."""
        self._facts_by_id[message["id"]] = facts
        await self.peer.run_request(message)

    async def feed_bytes(self, data: bytes) -> None:
        await self.peer.feed_bytes(data)

    async def notify(self, method: str, params: dict[str, Any] | None) -> None:
        """An unrelated notification (standalone stream on HTTP)."""
        if self.revision is not None:
            params = self.server.outgoing_params(self.revision, method, params)
        await self.peer.notify(method, params)

    async def close(self, grace: float | None = 30.0, *, client_gone: bool = True) -> None:
        """Refuse new requests (answered with an error), end listen streams, answer every
        accepted request (cancelling stragglers after ``grace`` seconds), then forget the
        session. With ``client_gone=False`` (a signal, not EOF) the client's answers to
        server→client requests still reach the handlers meanwhile."""
        if client_gone:
            self._hang_up()
        if self._closing is not None:
            await self._closing.wait()  # a close already under way
            return
        self._closing = anyio.Event()
        self.peer.refusing = True
        self.server.subscriptions.close(owner=self)
        for listen_id in self.peer.in_flight_ids("subscriptions/listen"):
            # cancellation.mdx: a server ending a listen stream says so with notifications/cancelled
            await self.peer.notify(
                "notifications/cancelled", _teardown(listen_id), related=listen_id
            )
            self.peer.stop_request(listen_id, self.server.listen_closed(listen_id))
        try:
            await self.peer.drain(grace)
        finally:
            self._hang_up()
            self.server.sessions.discard(self)
            self._closing.set()

    def _hang_up(self) -> None:
        """Ask the client nothing more; handlers waiting for its answers get an error."""
        self.peer.closed = True
        self.peer.fail_pending("the client connection closed")

    def stop_requests(self) -> None:
        """The server's drain time is over: answer every in-flight request with an error."""
        self.peer.stop_all()

    @property
    def in_flight(self) -> int:
        """Requests accepted and not yet answered (``subscriptions/listen`` included)."""
        return self.peer.in_flight

    # ---- requests ----------------------------------------------------------------------

    async def _on_request(
        self, request_id: RequestId, method: str, params: dict[str, Any] | None
    ) -> dict[str, Any]:
        facts = self._facts_by_id.pop(request_id, self.facts) if self._facts_by_id else self.facts
        if params is not None:
            meta = params.get("_meta")
            if type(meta) is dict and PROTOCOL_VERSION_KEY in meta:
                emit = self._emitter(request_id)
                return await self.server.serve_modern(request_id, method, params, emit, facts, self)
        revision = self.revision
        if revision is None:
            if method == "initialize":
                return self._initialize(params)
            if method == "ping":
                return {}
            raise RpcError(
                INVALID_PARAMS,
                f"Invalid params: {method} before initialize;"
                " send initialize first (legacy) or carry "
                f"{PROTOCOL_VERSION_KEY!r} and clientCapabilities in params._meta (modern)",
            )
        if method == "initialize":
            raise RpcError(INVALID_REQUEST, "Invalid Request: the session is already initialized")
        try:
            route = self.server.router.route(revision, method)
        except RpcError:
            if method == "ping" and "ping" in revisions.bindings(revision).methods:
                return {}
            if method in _RUNTIME_DEFAULTS and method in revisions.bindings(revision).methods:
                return await self._runtime_default(request_id, method, params, revision, facts)
            if method in self.server.session_methods:
                return await self._session_method(request_id, method, params, revision, facts)
            raise
        route = self.server.gated(route, method, revision)
        return await dispatch.call(
            route, params, self._context(request_id, method, params, revision, facts)
        )

    def _context(
        self,
        request_id: RequestId,
        method: str,
        params: dict[str, Any] | None,
        revision: str,
        facts: TransportFacts,
    ) -> RequestContext:
        meta = params.get("_meta") if params is not None else None
        return RequestContext(
            server=self.server,
            revision=revision,
            request_id=request_id,
            method=method,
            meta=meta if isinstance(meta, dict) else {},
            client_capabilities=self.client_capabilities,
            client_info=self.client_info,
            emit=self._emitter(request_id),
            session=self,
            facts=facts,
            params=params,
        )

    async def _session_method(
        self,
        request_id: RequestId,
        method: str,
        params: dict[str, Any] | None,
        revision: str,
        facts: TransportFacts,
    ) -> dict[str, Any]:
        """A method the handler object serves itself on sessions whose revision defines
        it (the 2025-11-25 ``tasks/*``), with the revision's params check and gate."""
        spec = revisions.bindings(revision).methods.get(method)
        if spec is None or spec.kind != "request" or spec.direction == "server_to_client":
            raise method_not_found(method, revision)
        self.server.require_gate(spec, method, revision)
        if spec.params is not None:
            _validated(spec, params)
        context = self._context(request_id, method, params, revision, facts)
        result: dict[str, Any] = await self.server.session_methods[method](params or {}, context)
        return result

    def _emitter(self, request_id: RequestId) -> Callable[[str, Any], Awaitable[None]]:
        """Sends the notifications a request makes, related to it, on this connection."""
        peer = self.peer

        async def emit(name: str, body: dict[str, Any] | None) -> None:
            await peer.notify(name, body, related=request_id)

        return emit

    def _initialize(self, params: dict[str, Any] | None) -> dict[str, Any]:
        server = self.server
        requested = (params or {}).get("protocolVersion")
        chosen = revisions.negotiate_legacy(requested, server.legacy_versions)
        if chosen is None:
            raise RpcError(
                INVALID_PARAMS,
                f"This server speaks only {', '.join(server.versions)};"
                " initialize is not part of those revisions",
                {"supported": list(server.versions), "requested": requested},
            )
        spec = revisions.bindings(chosen).methods["initialize"]
        wire_params = wire.dump(_validated(spec, params))
        self.client_capabilities = wire_params.get("capabilities") or {}
        self.client_info = wire_params.get("clientInfo")
        self.revision = chosen
        result: dict[str, Any] = {
            "protocolVersion": chosen,
            "capabilities": server.capabilities_for(chosen),
            "serverInfo": server.info_for(chosen),
        }
        if server.instructions is not None:
            result["instructions"] = server.instructions
        log.info(
            "session %s: initialized at %s (client asked for %r)", self.id[:8], chosen, requested
        )
        return result

    async def _runtime_default(
        self,
        request_id: RequestId,
        method: str,
        params: dict[str, Any] | None,
        revision: str,
        facts: TransportFacts,
    ) -> dict[str, Any]:
        """``logging/setLevel`` and resource (un)subscription, kept by the runtime so the
        fan-out (``Server.notify_resource_updated``) works for every handler revision."""
        spec = revisions.bindings(revision).methods[method]
        validated = _validated(spec, params)
        if method == "logging/setLevel":
            level = validated.level
            self.log_level = level if level in LOG_LEVELS else str(getattr(level, "value", level))
        elif method == "resources/subscribe":
            if not self.server.advertises(("resources", "subscribe")):
                raise method_not_found(method, revision)
            self.subscribed.add(validated.uri)
        else:
            self.subscribed.discard(validated.uri)
        if self.on_change is not None:
            await self.on_change()
        custom = getattr(self.server.handlers, spec.handler, None)
        if custom is not None and dispatch.is_overridden(self.server.handlers, spec.handler):
            await custom(validated, self._context(request_id, method, params, revision, facts))
        return {}

    def handler_capabilities(self) -> dict[str, Any]:
        """The session's client capabilities as the handler revision spells them."""
        if self._handler_caps is None:
            model = self.server.router.handler_bindings.models.ClientCapabilities
            self._handler_caps = project.Projection(self.server.revision).mapping(
                self.client_capabilities, model
            )
        return self._handler_caps

    # ---- notifications -----------------------------------------------------------------

    async def _on_notification(self, method: str, params: dict[str, Any] | None) -> None:
        if method == "notifications/initialized":
            self.initialized = True
            return
        bindings = self.server.router.handler_bindings
        spec = bindings.methods.get(method)
        if spec is None or not self.server.router.implemented(method):
            log.debug("ignoring notification %s", method)
            return
        revision = self.revision or self.server.revision
        model = spec.params
        try:
            validated = model.model_validate(params or {}) if model is not None else None
        except ValidationError as exc:
            log.warning("ignoring malformed %s: %s", method, exc)
            return
        ctx = self._context(None, method, params, revision, self.facts)  # type: ignore[arg-type]
        await getattr(self.server.handlers, spec.handler)(validated, ctx)


def _validated(spec: MethodSpec, params: dict[str, Any] | None) -> Any:
    """``params`` as the negotiated revision's params model (its fields read by name), or
    -32602."""
    assert spec.params is not None
    try:
        return spec.params.model_validate(params if params is not None else {})
    except ValidationError as exc:
        raise invalid_params(exc) from None
