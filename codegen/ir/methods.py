"""The method table of a revision, derived from its request/notification unions.

Direction comes from union membership (``ClientRequest`` → client_to_server, in both a
client and a server union → both). A request's result is ``<Stem>Result`` for
``<Stem>Request``; the few requests answered with the bare ``EmptyResult`` are listed in
:data:`EMPTY_RESULT` and checked. Alternative results are read from the params shape:
task-augmentable params (a ``task`` property) may be answered with ``CreateTaskResult``,
params carrying ``inputResponses`` with ``InputRequiredResult``.
"""

from __future__ import annotations

from collections.abc import Mapping

from mcp_foundry.ir import naming
from mcp_foundry.ir.capabilities import gate_for
from mcp_foundry.ir.errors import GeneratorError
from mcp_foundry.ir.model import Const, Definition, Direction, Method, Ref, TypeRef, Union_

UNIONS: dict[str, tuple[str, str]] = {
    "ClientRequest": ("request", "client_to_server"),
    "ServerRequest": ("request", "server_to_client"),
    "ClientNotification": ("notification", "client_to_server"),
    "ServerNotification": ("notification", "server_to_client"),
    # 2026-07-28+: requests a server embeds in InputRequiredResult.inputRequests.
    "InputRequest": ("request", "server_to_client"),
}

# Requests whose result is the bare EmptyResult (there is no `<Stem>Result`).
EMPTY_RESULT = frozenset(
    {"ping", "resources/subscribe", "resources/unsubscribe", "logging/setLevel"}
)


class MethodTableError(GeneratorError):
    pass


def _members(definition: Definition) -> list[str]:
    if definition.kind == "object":
        return [definition.name]
    alias = definition.alias
    if isinstance(alias, Ref):
        return [alias.name]
    if isinstance(alias, Union_) and all(isinstance(m, Ref) for m in alias.members):
        return [m.name for m in alias.members if isinstance(m, Ref)]
    raise MethodTableError(f"{definition.name} is not a union of message definitions")


def _params_objects(
    params: TypeRef | None, definitions: Mapping[str, Definition]
) -> list[Definition]:
    """The object definitions a params type may be (one, or each union member)."""
    if isinstance(params, Ref):
        target = definitions[params.name]
        if target.kind == "object":
            return [target]
        return _params_objects(target.alias, definitions)
    if isinstance(params, Union_):
        return [d for m in params.members for d in _params_objects(m, definitions)]
    return []


def _direction(directions: set[str], input_only: bool) -> Direction:
    if input_only:
        return "server_to_client"
    if directions == {"client_to_server", "server_to_client"}:
        return "both"
    return "client_to_server" if directions == {"client_to_server"} else "server_to_client"


def build_methods(revision: str, definitions: Mapping[str, Definition]) -> dict[str, Method]:
    found: dict[str, tuple[str, set[str], str]] = {}
    for union, (kind, union_direction) in UNIONS.items():
        if union not in definitions:
            continue
        for name in _members(definitions[union]):
            method_prop = definitions[name].property("method")
            if method_prop is None or not isinstance(method_prop.type, Const):
                raise MethodTableError(f"{name} has no literal method")
            entry = found.setdefault(str(method_prop.type.value), (kind, set(), name))
            entry[1].add(union_direction if union != "InputRequest" else "input_only")
    methods: dict[str, Method] = {}
    for method in sorted(found):
        kind, directions, message_name = found[method]
        input_only = directions == {"input_only"}
        message = definitions[message_name]
        params_prop = message.property("params")
        params = params_prop.type if params_prop else None
        if params is not None and not isinstance(params, Ref):
            raise MethodTableError(f"{message_name}.params is not a named model")
        result, alt_results = _results(method, kind, message_name, params, definitions)
        methods[method] = Method(
            method=method,
            kind="request" if kind == "request" else "notification",
            direction=_direction(directions - {"input_only"}, input_only),
            message=message_name,
            params=params.name if params is not None else None,
            params_required=bool(params_prop and params_prop.required),
            result=result,
            alt_results=alt_results,
            capability=gate_for(method, revision, definitions),
            input_only=input_only,
            handler=naming.handler_name(method),
            deprecated=message.deprecated,
            doc=message.doc,
        )
    return methods


def _results(
    method: str,
    kind: str,
    message: str,
    params: TypeRef | None,
    definitions: Mapping[str, Definition],
) -> tuple[str | None, tuple[str, ...]]:
    if kind != "request":
        return None, ()
    stem = message.removesuffix("Request")
    result = f"{stem}Result"
    if method in EMPTY_RESULT:
        if result in definitions:
            raise MethodTableError(f"{method} now has {result}; drop it from EMPTY_RESULT")
        result = "EmptyResult"
    if result not in definitions:
        raise MethodTableError(f"no result definition {result} for {method}")
    alternatives: list[str] = []
    shapes = _params_objects(params, definitions)
    if any(s.property("task") for s in shapes) and "CreateTaskResult" in definitions:
        alternatives.append("CreateTaskResult")
    if any(s.property("inputResponses") for s in shapes) and "InputRequiredResult" in definitions:
        alternatives.append("InputRequiredResult")
    return result, tuple(alternatives)
