"""The method tables hold every method of the revision's message unions, correctly typed."""

from __future__ import annotations

from typing import Any

from mcp_foundry import generated
from mcp_foundry.bindings import RevisionBindings
from mcp_foundry.ir.loader import revision_sources

UNIONS = {
    "ClientRequest": ("request", "client_to_server"),
    "ServerRequest": ("request", "server_to_client"),
    "ClientNotification": ("notification", "client_to_server"),
    "ServerNotification": ("notification", "server_to_client"),
}


def _members(defs: dict[str, Any], union: str) -> list[str]:
    """Message definition names of a union straight from schema.json."""
    node = defs[union]
    options = node.get("anyOf", [node])
    names = []
    for option in options:
        if "$ref" in option:
            names.append(option["$ref"].rsplit("/", 1)[-1])
        else:  # a single-member union copied inline (2026-07-28 ClientNotification)
            method = option["properties"]["method"]["const"]
            names.extend(
                n
                for n, d in defs.items()
                if n.endswith("Notification")
                and d.get("properties", {}).get("method", {}).get("const") == method
            )
    return names


def test_every_union_member_is_in_the_table(revision: str, bindings: RevisionBindings) -> None:
    defs = revision_sources(revision).definitions
    models = bindings.models
    seen: dict[str, set[str]] = {}
    for union, (kind, direction) in UNIONS.items():
        if union not in defs:
            continue
        for message in _members(defs, union):
            method = defs[message]["properties"]["method"]["const"]
            spec = bindings.methods[method]
            assert spec.kind == kind
            assert spec.message is getattr(models, message)
            seen.setdefault(method, set()).add(direction)
            params_ref = defs[message]["properties"].get("params", {}).get("$ref")
            if params_ref:
                assert spec.params is getattr(models, params_ref.rsplit("/", 1)[-1])
            elif "params" in defs[message]["properties"]:
                assert spec.params is not None
            else:
                assert spec.params is None
            assert spec.params_required == ("params" in defs[message].get("required", ()))
            if kind == "request":
                stem = message.removesuffix("Request")
                expected = getattr(models, f"{stem}Result", None) or models.EmptyResult
                assert spec.result is expected, method
            else:
                assert spec.result is None
    for method, directions in seen.items():
        expected = "both" if len(directions) == 2 else directions.pop()
        assert bindings.methods[method].direction == expected, method


def test_alternative_results() -> None:
    legacy = generated.load("2025-11-25")
    assert legacy.methods["tools/call"].alt_results == (legacy.models.CreateTaskResult,)
    assert legacy.methods["sampling/createMessage"].alt_results == (legacy.models.CreateTaskResult,)
    assert legacy.methods["tools/list"].alt_results == ()
    modern = generated.load("2026-07-28")
    assert modern.methods["tools/call"].alt_results == (modern.models.InputRequiredResult,)
    assert modern.methods["prompts/get"].alt_results == (modern.models.InputRequiredResult,)


def test_input_only_methods_2026() -> None:
    methods = generated.load("2026-07-28").methods
    input_only = {m for m, spec in methods.items() if spec.input_only}
    assert input_only == {"sampling/createMessage", "roots/list", "elicitation/create"}
    assert all(methods[m].direction == "server_to_client" for m in input_only)


def test_capability_gates() -> None:
    old = generated.load("2024-11-05").methods
    assert old["completion/complete"].capability is None  # no `completions` capability yet
    assert old["resources/subscribe"].capability is not None
    assert old["resources/subscribe"].capability.path == ("resources", "subscribe")
    new = generated.load("2025-11-25").methods
    gate = new["sampling/createMessage"].capability
    assert gate is not None and (gate.holder, gate.path) == ("client", ("sampling",))
    assert new["tasks/list"].capability is not None
    assert new["ping"].capability is None and new["ping"].direction == "both"


def test_constants_and_error_codes() -> None:
    modern = generated.load("2026-07-28")
    assert modern.constants["LATEST_PROTOCOL_VERSION"] == "2026-07-28"
    assert modern.error_codes["UNSUPPORTED_PROTOCOL_VERSION"] == -32022
    assert "LATEST_PROTOCOL_VERSION" not in modern.error_codes
    assert generated.load("2025-11-25").error_codes["URL_ELICITATION_REQUIRED"] == -32042


def test_deprecations_are_visible() -> None:
    modern = generated.load("2026-07-28")
    assert modern.methods["notifications/message"].deprecated
    field = modern.models.RequestMetaObject.model_fields["log_level"]
    assert field.deprecated and "2026-07-28" in str(field.deprecated)
