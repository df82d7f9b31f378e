"""The dual-era server core: one handler object, every protocol revision at once.

``Server`` answers modern (2026-07-28) requests statelessly from their ``_meta``
(``handle_modern``) and hands out legacy sessions (``session``) that run the
``initialize`` handshake; both dispatch through the same cached routes
(:mod:`mcp_foundry.runtime.dispatch`). The transport-facing contract is in the package
docstring (:mod:`mcp_foundry.runtime`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from typing import TYPE_CHECKING, Any

from mcp_foundry.bindings import MethodSpec
from mcp_foundry.runtime import dispatch, project, revisions, wire
from mcp_foundry.runtime.capabilities import INPUT_CAPABILITY, has_path
from mcp_foundry.runtime.context import LOG_LEVELS, InputRequired, RequestContext
from mcp_foundry.runtime.errors import (
    HEADER_MISMATCH,
    INTERNAL_ERROR,
    INVALID_PARAMS,
    RpcError,
    invalid_params,
    method_not_found,
    unsupported_version,
)
from mcp_foundry.runtime.request_state import StateSealer, request_digest
from mcp_foundry.runtime.revisions import (
    CLIENT_CAPABILITIES_KEY,
    CLIENT_INFO_KEY,
    LOG_LEVEL_KEY,
    PROTOCOL_VERSION_KEY,
    SERVER_INFO_KEY,
    SUBSCRIPTION_ID_KEY,
)
from mcp_foundry.runtime.store import MemoryStore, Store, StoreUnavailable
from mcp_foundry.runtime.subscriptions import Subscriptions
from mcp_foundry.runtime.transport import STDIO, SessionFanout, Sink, TransportFacts
from mcp_foundry.runtime.wire import RequestId
from pydantic import BaseModel, ValidationError

if TYPE_CHECKING:
    from mcp_foundry.runtime.session import LegacySession

log = logging.getLogger("mcp_foundry.runtime")

INPUT_REQUIRED_METHODS = frozenset({"tools/call", "prompts/get", "resources/read"})
"""mrtr.mdx: the only requests that may be answered with an InputRequiredResult."""

_CACHEABLE = frozenset(
    {
        "tools/list",
        "prompts/list",
        "resources/list",
        "resources/templates/list",
        "resources/read",
        "server/discover",
    }
)


class Server:
    """Serves one handler object to clients of every revision."""

    def __init__(
        self,
        handlers: object,
        *,
        name: str,
        version: str,
        revision: str | None = None,
        title: str | None = None,
        instructions: str | None = None,
        capabilities: Mapping[str, Any] | None = None,
        versions: tuple[str, ...] | None = None,
        request_timeout: float | None = None,
        state_secret: bytes | None = None,
        store: Store | None = None,
    ) -> None:
        self.handlers = handlers
        revision = revision or revisions.handler_revision(handlers)
        self.revision = revision
        self.router = dispatch.Router(handlers, revision)
        self.versions = tuple(versions or revisions.available())
        self.modern_versions = tuple(v for v in self.versions if revisions.is_modern(v))
        self.legacy_versions = tuple(v for v in self.versions if not revisions.is_modern(v))
        self.info: dict[str, Any] = {"name": name, "version": version}
        if title is not None:
            self.info["title"] = title
        self.instructions = instructions
        self.capabilities = (
            dict(capabilities) if capabilities is not None else self._derive_capabilities()
        )
        self._advertised: dict[tuple[str, ...], bool] = {}
        """``advertises`` answers, by capability path (the capabilities are fixed once made)."""
        self._open_routes: set[dispatch.Route] = set()
        """Routes whose capability gate this server has passed (``gated``)."""
        self.request_timeout = request_timeout
        self.sealer = StateSealer(state_secret)
        self.store: Store = store if store is not None else MemoryStore()
        """State shared with the server's other instances (``runtime.store``)."""
        self.sessions: set[LegacySession] = set()
        self.legacy_fanout: SessionFanout | None = None
        """Reaches the sessions kept in a shared store (on every instance); the loop over
        ``sessions`` then skips them (``LegacySession.shared``)."""
        self.subscriptions = Subscriptions(self.store if self.store.shared else None)
        self._extensions: Mapping[str, Any] = getattr(handlers, "extension_methods", None) or {}
        self.session_methods: Mapping[str, Any] = getattr(handlers, "session_methods", None) or {}
        """Legacy methods the handler object serves itself, where the session's revision
        defines them (``fn(params, ctx) -> wire result``)."""
        self._by_revision: dict[tuple[str, str], dict[str, Any]] = {}

    # ---- lifetime --------------------------------------------------------------------

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """The server's background work, for as long as it serves (a transport's
        lifespan): the listen relay, and the handler object's own ``lifetime(server)``
        context if it has one (the authoring layer's task backend)."""
        async with AsyncExitStack() as stack:
            await stack.enter_async_context(self.subscriptions.relaying())
            lifetime = getattr(self.handlers, "lifetime", None)
            if lifetime is not None:
                await stack.enter_async_context(lifetime(self))
            yield

    # ---- capabilities ----------------------------------------------------------------

    def _derive_capabilities(self) -> dict[str, Any]:
        """Advertise what the handler object implements, plus what the runtime itself
        provides (logging, resource subscriptions, list-change notifications)."""
        caps: dict[str, Any] = {"logging": {}}
        for method, spec in self.router.handler_bindings.inbound("server").items():
            gate = spec.capability
            if gate is None or gate.holder != "server" or not self.router.implemented(method):
                continue
            node = caps.setdefault(gate.path[0], {})
            for part in gate.path[1:]:
                node = node.setdefault(part, {})
        for kind in ("tools", "prompts", "resources"):
            if kind in caps:
                caps[kind]["listChanged"] = True
        if "resources" in caps:
            caps["resources"]["subscribe"] = True
        return caps

    def capabilities_for(self, revision: str) -> dict[str, Any]:
        """Our capabilities as ``revision``'s ServerCapabilities can express them."""
        return self._as_revision(revision, "ServerCapabilities", self.capabilities)

    def info_for(self, revision: str) -> dict[str, Any]:
        """Our Implementation object as ``revision`` spells it (``title`` from 2025-06-18 on)."""
        return self._as_revision(revision, "Implementation", self.info)

    def _as_revision(self, revision: str, model_name: str, value: dict[str, Any]) -> dict[str, Any]:
        key = (revision, model_name)
        found = self._by_revision.get(key)
        if found is None:
            model = getattr(revisions.bindings(revision).models, model_name)
            found = project.Projection(revision).mapping(value, model)
            self._by_revision[key] = found
        return found

    def advertises(self, path: tuple[str, ...]) -> bool:
        found = self._advertised.get(path)
        if found is None:
            found = self._advertised[path] = has_path(self.capabilities, path)
        return found

    def input_capability(self, revision: str, method: str) -> tuple[str, ...] | None:
        """The client capability a server→client (or input) request needs."""
        spec = revisions.bindings(revision).methods.get(method)
        if spec is not None and spec.capability is not None and spec.capability.holder == "client":
            return spec.capability.path
        name = INPUT_CAPABILITY.get(method)
        return (name,) if name else None

    # ---- conversions the context needs ------------------------------------------------

    def outgoing_params(
        self, revision: str, method: str, params: BaseModel | dict[str, Any] | None
    ) -> dict[str, Any] | None:
        """Params of a notification or server→client request, as ``revision`` spells them."""
        if params is None:
            return None
        spec = revisions.bindings(revision).methods.get(method)
        if spec is None or spec.params is None:
            return wire.dump(params)
        projection = project.Projection(revision)
        out: dict[str, Any] = projection.value(params, spec.params)
        projection.report(f"{method} params")
        if spec.kind == "request" or revision != self.revision:
            try:
                spec.params.model_validate(out)
            except ValidationError as exc:
                # never send the client what its revision rejects; the handler's call fails
                log.error("%s params cannot be expressed in MCP %s: %s", method, revision, exc)
                raise RpcError(
                    INTERNAL_ERROR,
                    f"Internal error: {method} cannot be expressed in MCP {revision}",
                ) from None
        return out

    def incoming_result(self, revision: str, method: str, raw: Any) -> Any:
        """A client's answer (wire JSON of ``revision``) as the handler revision's model."""
        wire_spec = revisions.bindings(revision).methods.get(method)
        handler_spec = self.router.handler_bindings.methods.get(method)
        if (
            wire_spec is None
            or wire_spec.result is None
            or handler_spec is None
            or handler_spec.result is None
        ):
            return raw
        if isinstance(raw, dict) and "result_type" in project.fields(wire_spec.result):
            raw = {"resultType": "complete", **raw}
        try:
            on_wire = wire_spec.result.model_validate(raw)
        except ValidationError as exc:
            raise invalid_params(exc, f"{method} result") from None
        if revision == self.revision:
            return on_wire
        converted = project.convert(on_wire, handler_spec.result, self.revision, f"{method} result")
        if "result_type" in project.fields(handler_spec.result):
            converted.setdefault("resultType", "complete")
        try:
            return handler_spec.result.model_validate(converted)
        except ValidationError as exc:
            raise invalid_params(exc, f"{method} result") from None

    # ---- the modern (stateless) wire ---------------------------------------------------

    @staticmethod
    def is_modern(message: Any) -> bool:
        params = message.get("params") if isinstance(message, dict) else None
        meta = params.get("_meta") if isinstance(params, dict) else None
        return isinstance(meta, dict) and PROTOCOL_VERSION_KEY in meta

    async def handle_modern(
        self, message: Any, sink: Sink, facts: TransportFacts = STDIO
    ) -> dict[str, Any] | None:
        """One stateless request (see the package docstring); never raises for bad input."""
        try:
            kind = wire.check_envelope(message)
        except RpcError as exc:
            return wire.error_response(wire.readable_id(message), exc)
        if kind != "request":
            return None  # notifications are answered by nobody; responses have no sender here
        request_id = message["id"]

        async def emit(method: str, params: dict[str, Any] | None) -> None:
            await sink(wire.notification(method, params), request_id)

        try:
            result = await self.serve_modern(
                request_id, message["method"], message.get("params"), emit, facts, None
            )
        except RpcError as exc:
            return wire.error_response(request_id, exc)
        except Exception:
            log.exception("modern %s (id %r) failed", message.get("method"), request_id)
            return wire.error_response(request_id, RpcError(INTERNAL_ERROR, "Internal error"))
        return wire.result_response(request_id, result)

    async def serve_modern(
        self,
        request_id: RequestId,
        method: str,
        params: dict[str, Any] | None,
        emit: Any,
        facts: TransportFacts,
        session: LegacySession | None,
    ) -> dict[str, Any]:
        """The checks of contract §2.2 in order, then dispatch; returns the wire result."""
        meta = params.get("_meta") if isinstance(params, dict) else None
        if (
            not isinstance(meta, dict)
            or PROTOCOL_VERSION_KEY not in meta
            or CLIENT_CAPABILITIES_KEY not in meta
        ):
            raise RpcError(
                INVALID_PARAMS,
                f"Invalid params: params._meta must carry {PROTOCOL_VERSION_KEY!r}"
                f" and {CLIENT_CAPABILITIES_KEY!r}",
                {"field": "params._meta"},
            )
        version = meta[PROTOCOL_VERSION_KEY]
        if facts.protocol_version_header is not None and facts.protocol_version_header != version:
            raise RpcError(
                HEADER_MISMATCH,
                f"Header mismatch: MCP-Protocol-Version {facts.protocol_version_header!r}"
                f" but _meta says {version!r}",
            )
        if version not in self.modern_versions:
            raise unsupported_version(str(version), list(self.versions))
        capabilities = meta[CLIENT_CAPABILITIES_KEY]
        if not isinstance(capabilities, dict):
            raise RpcError(
                INVALID_PARAMS,
                f"Invalid params: params._meta.{CLIENT_CAPABILITIES_KEY} must be an object",
            )
        level = meta.get(LOG_LEVEL_KEY)
        if level is not None and level not in LOG_LEVELS:
            raise RpcError(
                INVALID_PARAMS,
                f"Invalid params: params._meta.{LOG_LEVEL_KEY} {level!r} is not a log level",
            )
        info = meta.get(CLIENT_INFO_KEY)
        assert isinstance(params, dict)

        if method == "server/discover":
            return self._discover(version)
        if method == "subscriptions/listen" and not self.router.implemented(method):
            return await self.subscriptions.listen(self, request_id, params, emit, session)
        route = self._modern_route(version, method)
        ctx = RequestContext(
            server=self,
            revision=version,
            request_id=request_id,
            method=method,
            meta=meta,
            client_capabilities=capabilities,
            client_info=info if isinstance(info, dict) else None,
            emit=emit,
            facts=facts,
        )
        if route is None:
            return await self._extension(method, params, ctx)
        params = self._open_request_state(method, params, ctx, facts)
        try:
            result = await dispatch.call(route, params, ctx)
            if result.get("resultType") == "input_required":
                result = self._handler_round(method, params, result, facts)
        except InputRequired as need:
            if method not in INPUT_REQUIRED_METHODS:
                log.error(
                    "%s asked the client for input, which mrtr.mdx does not allow for it", method
                )
                raise RpcError(
                    INTERNAL_ERROR, f"Internal error: {method} cannot ask for client input"
                ) from None
            result = self._input_required(method, params, need, ctx, facts)
        return self.finish_modern(method, result)

    def _modern_route(self, version: str, method: str) -> dispatch.Route | None:
        try:
            route = self.router.route(version, method)
        except RpcError:
            if method in self._extensions:
                return None
            raise
        return self.gated(route, method, version)

    def gated(self, route: dispatch.Route, method: str, revision: str) -> dispatch.Route:
        """``route``, unless it needs a server capability this server does not declare:
        then the method does not exist here (-32601). Both eras gate through this; a route
        that passed once always passes (the capabilities are fixed once made)."""
        if route not in self._open_routes:
            self.require_gate(route.spec, method, revision)
            self._open_routes.add(route)
        return route

    def require_gate(self, spec: MethodSpec, method: str, revision: str) -> None:
        """-32601 for a method gated on a server capability this server does not declare."""
        gate = spec.capability
        if gate is not None and gate.holder == "server" and not self.advertises(gate.path):
            raise method_not_found(method, revision)

    async def _extension(
        self, method: str, params: dict[str, Any], ctx: RequestContext
    ) -> dict[str, Any]:
        result = await self._extensions[method](params, ctx)
        if isinstance(result, BaseModel):
            result = wire.dump(result)
        return self.finish_modern(method, dict(result))

    def finish_modern(self, method: str, result: dict[str, Any]) -> dict[str, Any]:
        """Every modern result names its type and the server (basic/index.mdx)."""
        result.setdefault("resultType", "complete")
        meta = result.get("_meta")
        result["_meta"] = (
            {**meta, SERVER_INFO_KEY: self.info}
            if isinstance(meta, dict)
            else {SERVER_INFO_KEY: self.info}
        )
        if method in _CACHEABLE and result["resultType"] == "complete":
            result.setdefault("ttlMs", 0)
            result.setdefault("cacheScope", "private")
        return result

    def listen_closed(self, request_id: RequestId) -> dict[str, Any]:
        """The graceful end of a ``subscriptions/listen`` stream (subscriptions.mdx)."""
        return self.finish_modern(
            "subscriptions/listen", {"_meta": {SUBSCRIPTION_ID_KEY: request_id}}
        )

    def _discover(self, version: str) -> dict[str, Any]:
        result: dict[str, Any] = {
            "supportedVersions": list(self.versions),
            "capabilities": self.capabilities_for(version),
        }
        if self.instructions is not None:
            result["instructions"] = self.instructions
        return self.finish_modern("server/discover", result)

    def _open_request_state(
        self, method: str, params: dict[str, Any], ctx: RequestContext, facts: TransportFacts
    ) -> dict[str, Any]:
        """A retried round (it carries ``requestState`` or ``inputResponses``) must present a
        state this runtime sealed for this request, else -32602: a missing, empty or altered
        state is never read as "no state". Loads the earlier answers, the answers to the
        questions that round asked and ``ctx.state``; returns the params the handler sees."""
        if "requestState" not in params and "inputResponses" not in params:
            return params  # a first round
        token = params.get("requestState")
        opened = self.sealer.open(
            token[len(_STATE_PREFIX) :]
            if isinstance(token, str) and token.startswith(_STATE_PREFIX)
            else None,
            digest=request_digest(method, params),
            principal=facts.principal,
        )
        if "h" in opened:  # a round the handler ran itself: hand its own state back
            inner = {k: v for k, v in params.items() if k != "requestState"}
            return inner if opened["h"] is None else {**inner, "requestState": opened["h"]}
        responses = params.get("inputResponses")
        asked = opened.get("k", ())
        answers: dict[str, Any] = dict(opened.get("a", {}))
        if isinstance(responses, dict):
            answers.update((key, value) for key, value in responses.items() if key in asked)
        ctx._answers = answers
        ctx.state.update(opened.get("s", {}))
        return params

    def _input_required(
        self,
        method: str,
        params: dict[str, Any],
        need: InputRequired,
        ctx: RequestContext,
        facts: TransportFacts,
    ) -> dict[str, Any]:
        sealed = self.sealer.seal(
            {"a": need.answers, "s": ctx.state, "k": sorted(need.requests)},
            digest=request_digest(method, params),
            principal=facts.principal,
        )
        return {
            "resultType": "input_required",
            "inputRequests": need.requests,
            "requestState": _STATE_PREFIX + sealed,
        }

    def _handler_round(
        self, method: str, params: dict[str, Any], result: dict[str, Any], facts: TransportFacts
    ) -> dict[str, Any]:
        """A handler's own ``InputRequiredResult``: its state (if any) travels sealed inside
        ours, so every retried round is verified the same way."""
        sealed = self.sealer.seal(
            {"h": result.get("requestState")},
            digest=request_digest(method, params),
            principal=facts.principal,
        )
        return {**result, "requestState": _STATE_PREFIX + sealed}

    # ---- legacy sessions and fan-out ---------------------------------------------------

    def session(self, sink: Sink, facts: TransportFacts = STDIO) -> LegacySession:
        from mcp_foundry.runtime.session import LegacySession

        return LegacySession(self, sink, facts)

    async def notify_list_changed(self, kind: str) -> None:
        """``notifications/<kind>/list_changed`` to every session and matching listen stream."""
        if not self.advertises((kind, "listChanged")):
            log.warning(
                "not sending %s list_changed: the server does not advertise %s.listChanged",
                kind,
                kind,
            )
            return
        await self.subscriptions.publish_list_changed(kind)
        await self._notify_sessions(f"notifications/{kind}/list_changed", None)

    async def notify_resource_updated(self, uri: str) -> None:
        """``notifications/resources/updated`` to sessions subscribed to ``uri`` and to
        listen streams whose filter names it."""
        await self.subscriptions.publish_resource_updated(uri)
        await self._notify_sessions("notifications/resources/updated", {"uri": uri}, uri)

    async def broadcast(self, method: str, params: dict[str, Any] | None = None) -> None:
        """Any notification to every initialized legacy session (standalone streams)."""
        await self._notify_sessions(method, params)

    async def _notify_sessions(
        self, method: str, params: dict[str, Any] | None, uri: str | None = None
    ) -> None:
        """One notification to every initialized legacy session (only those subscribed to
        ``uri``, when given): local ones here, shared ones through ``legacy_fanout``."""
        for session in list(self.sessions):
            if session.shared or session.revision is None:
                continue
            if uri is None or uri in session.subscribed:
                await session.notify(method, params)
        fanout = self.legacy_fanout
        if fanout is None:
            return
        try:
            if uri is None:
                await fanout.notify_all(method, params)
            else:
                await fanout.notify_subscribers(uri, method, params)
        except StoreUnavailable:
            # the change itself happened; only its news is lost (like the listen relay's)
            log.warning("%s did not reach the shared sessions: the store is unavailable", method)


_STATE_PREFIX = "rt1."
"""Marks request state sealed by this runtime (every ``requestState`` a client sees)."""
