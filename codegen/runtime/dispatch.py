"""How one method of one wire revision reaches the handler and comes back.

A :class:`Route` is computed once per ``(wire revision, method)`` and cached, so the hot
path does two dict lookups, one pydantic validation of the params and one dump of the
result. When the wire revision differs from the handler revision the route converts both
ways with :mod:`mcp_foundry.runtime.project` and validates on each side.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from mcp_foundry import generated
from mcp_foundry.bindings import MethodNotImplemented, MethodSpec, RevisionBindings
from mcp_foundry.runtime import project, revisions, wire
from mcp_foundry.runtime.errors import INTERNAL_ERROR, RpcError, invalid_params, method_not_found
from mcp_foundry.runtime.revisions import (
    CLIENT_CAPABILITIES_KEY,
    CLIENT_INFO_KEY,
    PROTOCOL_VERSION_KEY,
)
from pydantic import BaseModel, ValidationError

Handler = Callable[[Any, Any], Awaitable[Any]]


def is_overridden(handlers: object, name: str) -> bool:
    """True when ``name`` is implemented by the user's class, not the generated stub."""
    for klass in type(handlers).__mro__:
        if name in vars(klass):
            return not generated.is_generated(klass.__module__)
    return False


class Route:
    """One ``(wire revision, method)`` pair: models on both sides and the handler."""

    __slots__ = (
        "method",
        "wire",
        "wire_revision",
        "handler_revision",
        "spec",
        "handler_spec",
        "fn",
        "same",
        "modern_handler",
        "meta_in",
        "upgrade",
        "targets",
        "typed",
        "check_wire_params",
        "check_params",
        "dump_wire_params",
        "meta_check",
        "known_meta",
    )

    def __init__(
        self,
        on_wire: RevisionBindings,
        handler_bindings: RevisionBindings,
        spec: MethodSpec,
        handlers: object,
    ) -> None:
        self.method = spec.method
        self.wire = on_wire
        self.wire_revision = on_wire.revision
        self.handler_revision = handler_bindings.revision
        self.spec = spec
        handler_spec = handler_bindings.methods.get(spec.method)
        self.handler_spec = handler_spec
        self.fn: Handler | None = None
        if handler_spec is not None and is_overridden(handlers, handler_spec.handler):
            self.fn = getattr(handlers, handler_spec.handler)
        self.same = on_wire.revision == handler_bindings.revision
        self.modern_handler = revisions.is_modern(handler_bindings.revision)
        self.upgrade = revisions.is_older(on_wire.revision, handler_bindings.revision)
        params = handler_spec.params if handler_spec is not None else None
        self.meta_in = (
            self.modern_handler and params is not None and "meta" in project.fields(params)
        )
        """The modern handler's params carry ``_meta``, made from the session when absent."""
        self.targets: dict[str, type[BaseModel]] = {}
        """Wire result models by name (the first of a name wins), for ``result_out``."""
        for model in (spec.result, *spec.alt_results):
            if model is not None:
                self.targets.setdefault(model.__name__, model)
        self.typed = frozenset(
            model for model in self.targets.values() if "result_type" in project.fields(model)
        )
        """Wire result models with a ``resultType`` (the modern ones), which says complete."""
        wire_params = spec.params
        self.check_params = wire.validator(params) if params is not None else None
        """The handler revision's params validator (the wire's own when ``same``)."""
        self.check_wire_params = (
            wire.validator(wire_params) if wire_params is not None and not self.same else None
        )
        self.dump_wire_params = wire.dumper(wire_params) if wire_params is not None else None
        meta_classes = (
            project.model_classes(project.fields(params)["meta"].annotation)
            if params is not None and "meta" in project.fields(params)
            else []
        )
        self.meta_check = wire.validator(meta_classes[0]) if len(meta_classes) == 1 else None
        """The handler params' ``_meta`` validator, when that is one model (else the
        ``_meta`` is validated with the params)."""
        self.known_meta: dict[bytes, BaseModel] = {}
        """Validated ``_meta`` objects by their JSON (``_known_meta``)."""

    # ---- params: wire → handler ------------------------------------------------------

    def params_in(self, raw: dict[str, Any] | None, ctx: Any) -> Any:
        assert self.handler_spec is not None
        model = self.handler_spec.params
        check = self.check_params
        if self.same:
            if check is None:
                return None
            if raw is None:
                raw = {}
            elif self.meta_check is not None:
                meta = raw.get("_meta")
                if type(meta) is dict and "progressToken" not in meta:
                    raw = {**raw, "_meta": self._known_meta(meta)}
            try:
                return check(raw)
            except ValidationError as exc:
                raise invalid_params(exc) from None
        check_wire = self.check_wire_params
        if check_wire is None or model is None or check is None:
            return model.model_validate({}) if model is not None and raw is None else None
        try:
            on_wire = check_wire(raw if raw is not None else {})
        except ValidationError as exc:
            raise invalid_params(exc) from None
        if self.upgrade:
            # older → newer: the validated dump holds exactly what the client's revision
            # knows, and newer revisions only add to it
            assert self.dump_wire_params is not None
            converted = self.dump_wire_params(on_wire)
        else:
            converted = project.convert(
                on_wire, model, self.handler_revision, f"{self.method} params"
            )
        if self.meta_in:
            own = converted.get("_meta")
            session = ctx.session
            if own is None and session is not None:
                converted["_meta"] = self._session_meta(session, ctx)
            else:
                converted["_meta"] = self._meta(own, ctx)
        try:
            return check(converted)
        except ValidationError as exc:
            raise invalid_params(exc) from None

    def _known_meta(self, meta: dict[str, Any]) -> Any:
        """``meta`` validated as the params' ``_meta`` model, once per distinct value:
        clients send the same capabilities and client info with every request, and
        that object costs more to validate than the rest of the params. Like a
        session's ``route_meta``, the instance is shared by the requests that sent it.
        A ``progressToken`` differs per request, so such a ``_meta`` is not kept; one
        that does not validate is returned as it is, for the params' error to name it."""
        try:
            key = orjson.dumps(meta)
        except TypeError:
            return meta
        found = self.known_meta.get(key)
        if found is None:
            assert self.meta_check is not None
            try:
                found = self.meta_check(meta)
            except ValidationError:
                return meta
            known = self.known_meta
            if len(known) >= _KNOWN_META:
                del known[next(iter(known))]
            known[key] = found
        return found

    def _meta(self, own: dict[str, Any] | None, ctx: Any) -> dict[str, Any]:
        """The ``_meta`` a modern handler expects, made from what the session knows."""
        meta = dict(own or {})
        meta.setdefault(PROTOCOL_VERSION_KEY, self.wire_revision)
        meta.setdefault(CLIENT_CAPABILITIES_KEY, ctx.handler_capabilities())
        if ctx.client_info is not None:
            meta.setdefault(CLIENT_INFO_KEY, ctx.client_info)
        return meta

    def _session_meta(self, session: Any, ctx: Any) -> Any:
        """:meth:`_meta` for a request that sent none, validated once per session (it
        depends only on what ``initialize`` settled) and shared by its requests; the
        session keeps it (``LegacySession.route_meta``), so it goes with the session."""
        kept: dict[Route, Any] = session.route_meta
        found = kept.get(self)
        if found is None:
            meta = self._meta(None, ctx)
            if self.meta_check is None:
                return meta  # validated with the params, as a request's own _meta is
            try:
                found = kept[self] = self.meta_check(meta)
            except ValidationError as exc:
                raise invalid_params(exc) from None
        return found

    # ---- result: handler → wire ------------------------------------------------------

    def result_out(self, result: Any) -> dict[str, Any]:
        assert self.handler_spec is not None
        if not isinstance(result, BaseModel):
            result = self._as_model(result)
        if self.same:
            return wire.dump(result)
        target = self.targets.get(type(result).__name__)
        if target is None:
            raise _unrepresentable(type(result).__name__, self.method, self.wire_revision)
        converted = project.convert(result, target, self.wire_revision, f"{self.method} result")
        if target in self.typed:
            converted.setdefault("resultType", "complete")
        try:
            wire.validate(target, converted)  # the projection must be a valid result there
            return converted
        except ValidationError as exc:
            raise _unrepresentable(
                f"{type(result).__name__} ({exc.errors()[0]['msg']})",
                self.method,
                self.wire_revision,
            ) from None

    def _as_model(self, result: Any) -> BaseModel:
        spec = self.handler_spec
        assert spec is not None
        if isinstance(result, BaseModel):
            return result
        if isinstance(result, dict) and spec.result is not None:
            models = [spec.result, *spec.alt_results]
            kind = result.get("resultType")
            if kind is not None and kind != "complete":
                models = [*spec.alt_results, spec.result]
            if self.modern_handler:
                result = {"resultType": "complete", **result}
            for model in models:
                try:
                    return wire.validate(model, result)
                except ValidationError:
                    continue
            try:
                return spec.result.model_validate(result)
            except ValidationError as exc:
                raise invalid_result(exc, self.method) from None
        raise TypeError(
            f"{self.method} handler returned {type(result).__name__}, not a result model"
        )


_KNOWN_META = 64
"""Distinct ``_meta`` objects a route keeps validated (the oldest goes first)."""


def invalid_result(exc: ValidationError, method: str) -> RpcError:
    """A handler answered with something its own revision rejects: a server bug (-32603)."""
    import logging

    logging.getLogger("mcp_foundry.runtime").error(
        "%s handler returned an invalid result: %s", method, exc
    )
    return RpcError(
        INTERNAL_ERROR, f"Internal error: the {method} handler returned an invalid result"
    )


def _unrepresentable(what: str, method: str, revision: str) -> RpcError:
    import logging

    logging.getLogger("mcp_foundry.runtime").error(
        "%s result %s cannot be expressed in MCP %s", method, what, revision
    )
    return RpcError(
        INTERNAL_ERROR, f"Internal error: the {method} result cannot be expressed in MCP {revision}"
    )


class Router:
    """Caches a :class:`Route` per ``(revision, method)`` for one handler object."""

    def __init__(self, handlers: object, handler_revision: str) -> None:
        self.handlers = handlers
        self.handler_bindings = revisions.bindings(handler_revision)
        self._routes: dict[tuple[str, str], Route | RpcError] = {}

    def route(self, revision: str, method: str) -> Route:
        key = (revision, method)
        found = self._routes.get(key)
        if found is None:
            found = self._build(revision, method)
            self._routes[key] = found
        if isinstance(found, RpcError):
            raise found
        return found

    def _build(self, revision: str, method: str) -> Route | RpcError:
        on_wire = revisions.bindings(revision)
        spec = on_wire.methods.get(method)
        if (
            spec is None
            or spec.kind != "request"
            or spec.direction == "server_to_client"
            or spec.input_only
        ):
            return method_not_found(method, revision)
        route = Route(on_wire, self.handler_bindings, spec, self.handlers)
        if route.fn is None:
            return method_not_found(method, revision)
        return route

    def implemented(self, method: str) -> bool:
        spec = self.handler_bindings.methods.get(method)
        return spec is not None and is_overridden(self.handlers, spec.handler)


async def call(route: Route, raw_params: dict[str, Any] | None, ctx: Any) -> dict[str, Any]:
    """Validate, convert, run the handler and bring its result back to the wire."""
    params = route.params_in(raw_params, ctx)
    assert route.fn is not None
    try:
        result = await route.fn(params, ctx)
    except MethodNotImplemented as exc:
        raise method_not_found(exc.method, route.wire_revision) from None
    return route.result_out(result)
