"""The classification rules on tiny hand-built revisions: one rule, one fact each."""

from __future__ import annotations

from mcp_foundry.diff.model import Breaks, Kind, Severity
from mcp_foundry.ir.model import Array, Const, Definition, Enum, Primitive, Ref, Union_

from .helpers import absent, alias, find, method, obj, prop, revision, synthetic_diff

STRING, INT, NUMBER = Primitive("string"), Primitive("integer"), Primitive("number")
OLD_CLIENT = Breaks(old_client_new_server=True)
OLD_SERVER = Breaks(old_server_new_client=True)


def tool_call(params: tuple, result: tuple, **kw: object):  # type: ignore[no-untyped-def]
    """A one-method revision: tools/call with the given params and result properties."""
    defs = [
        obj(
            "CallToolRequest",
            prop("method", Const("tools/call"), True),
            prop("params", Ref("CallToolParams"), True),
        ),
        obj("CallToolParams", *params),
        obj("CallToolResult", *result),
    ]
    return revision(
        str(kw.get("name", "r")),
        defs,
        [method("tools/call", "CallToolRequest", "CallToolParams", "CallToolResult")],
    )


def test_required_field_in_client_params_breaks_old_clients_only() -> None:
    a = tool_call((prop("name", STRING, True),), ())
    b = tool_call((prop("name", STRING, True), prop("token", STRING, True)), ())
    change = find(synthetic_diff(a, b), Kind.FIELD_ADDED, "CallToolParams.token")
    assert change.severity is Severity.BREAKING and change.breaks == OLD_CLIENT
    assert "new servers expect it, old clients never send it" in change.reason


def test_required_field_in_server_result_breaks_old_servers_only() -> None:
    a = tool_call((), (prop("content", STRING, True),))
    b = tool_call((), (prop("content", STRING, True), prop("ttl", NUMBER, True)))
    change = find(synthetic_diff(a, b), Kind.FIELD_ADDED, "CallToolResult.ttl")
    assert change.breaks == OLD_SERVER and change.severity is Severity.BREAKING


def test_optional_field_added_is_compatible_and_removed_required_breaks_the_old_receiver() -> None:
    a = tool_call((prop("name", STRING, True),), (prop("isError", Primitive("boolean"), True),))
    b = tool_call((prop("name", STRING, True), prop("meta", STRING)), ())
    report = synthetic_diff(a, b)
    added = find(report, Kind.FIELD_ADDED, "CallToolParams.meta")
    assert added.severity is Severity.COMPATIBLE and not added.breaks.any
    removed = find(report, Kind.FIELD_REMOVED, "CallToolResult.isError")
    assert removed.severity is Severity.BREAKING and removed.breaks == OLD_CLIENT


def test_requiredness_flips() -> None:
    a = tool_call((prop("name", STRING, True), prop("cursor", STRING)), ())
    b = tool_call((prop("name", STRING), prop("cursor", STRING, True)), ())
    report = synthetic_diff(a, b)
    assert find(report, Kind.FIELD_NOW_OPTIONAL, "CallToolParams.name").breaks == OLD_SERVER
    assert find(report, Kind.FIELD_NOW_REQUIRED, "CallToolParams.cursor").breaks == OLD_CLIENT


def test_enum_widening_narrowing_and_open_enums() -> None:
    a = tool_call(
        (),
        (
            prop("stop", Enum(("end", "max"))),
            prop("role", Enum(("user",), open=True)),
            prop("level", Enum(("a", "b"))),
        ),
    )
    b = tool_call(
        (),
        (
            prop("stop", Enum(("end", "max", "tool"))),
            prop("role", Enum(("user", "bot"), open=True)),
            prop("level", Enum(("a",))),
        ),
    )
    report = synthetic_diff(a, b)
    widened = find(report, Kind.ENUM_VALUES_ADDED, "CallToolResult.stop")
    assert (
        widened.breaks == OLD_CLIENT and "tool" in widened.reason
    )  # old clients reject the new value
    assert (
        find(report, Kind.ENUM_VALUES_ADDED, "CallToolResult.role").severity is Severity.COMPATIBLE
    )
    assert find(report, Kind.ENUM_VALUES_REMOVED, "CallToolResult.level").breaks == OLD_SERVER


def test_numeric_widening_constraints_and_const() -> None:
    a = tool_call(
        (
            prop("n", INT, True),
            prop("p", Primitive("number", maximum=1)),
            prop("v", Const(1)),
        ),
        (),
    )
    b = tool_call(
        (
            prop("n", NUMBER, True),
            prop("p", Primitive("number", maximum=0.5)),
            prop("v", Const(2)),
        ),
        (),
    )
    report = synthetic_diff(a, b)
    assert (
        find(report, Kind.FIELD_TYPE_CHANGED, "CallToolParams.n").breaks == OLD_SERVER
    )  # new clients send 1.5
    assert (
        find(report, Kind.CONSTRAINT_CHANGED, "CallToolParams.p").breaks == OLD_CLIENT
    )  # old clients send 0.8
    const = find(report, Kind.CONST_CHANGED, "CallToolParams.v")
    assert const.breaks == Breaks(True, True)


def test_union_alternatives_and_array_items() -> None:
    a = revision(
        "a",
        [
            alias("Block", Union_((Ref("Text"), Ref("Image")))),
            obj("Text", prop("t", STRING, True)),
            obj("Image", prop("data", STRING, True)),
            obj("Msg", prop("content", Array(Ref("Block")), True)),
        ],
    )
    b = revision(
        "b",
        [
            alias("Block", Union_((Ref("Text"), Ref("Audio")))),
            obj("Text", prop("t", STRING, True)),
            obj("Audio", prop("wav", STRING, True), prop("rate", INT, True)),
            obj("Msg", prop("content", Array(Ref("Block")), True)),
        ],
    )
    report = synthetic_diff(a, b)
    # unreachable from any method: both sides may send it
    assert find(report, Kind.UNION_MEMBER_ADDED, "Block").breaks == Breaks(True, True)
    assert find(report, Kind.UNION_MEMBER_REMOVED, "Block").severity is Severity.BREAKING
    assert find(report, Kind.TYPE_ADDED, "Audio").severity is Severity.COMPATIBLE
    assert find(report, Kind.TYPE_REMOVED, "Image").severity is Severity.COMPATIBLE


def test_rename_with_identical_shape_is_one_rename() -> None:
    def ref(name: str) -> Definition:
        return obj(name, prop("type", Const("ref/resource"), True), prop("uri", STRING, True))

    a = revision(
        "a",
        [
            ref("ResourceReference"),
            obj("Complete", prop("ref", Ref("ResourceReference"), True)),
        ],
    )
    b = revision(
        "b",
        [
            ref("ResourceTemplateReference"),
            obj("Complete", prop("ref", Ref("ResourceTemplateReference"), True)),
        ],
    )
    report = synthetic_diff(a, b)
    renamed = find(report, Kind.TYPE_RENAMED, "ResourceTemplateReference")
    assert (renamed.before, renamed.after) == (
        "ResourceReference",
        "ResourceTemplateReference",
    )
    assert "same shape" in renamed.reason and not renamed.breaks.any
    assert len(report.changes) == 1


def test_inline_object_moved_to_named_type_is_no_change() -> None:
    a = revision(
        "a",
        [
            obj("Tool", prop("annotations", Ref("ToolAnnotations"))),
            obj(
                "ToolAnnotations",
                prop("audience", Array(STRING)),
                parent="Tool.annotations",
            ),
            obj("Prompt", prop("annotations", Ref("PromptAnnotations"))),
            obj(
                "PromptAnnotations",
                prop("audience", Array(STRING)),
                parent="Prompt.annotations",
            ),
        ],
    )
    b = revision(
        "b",
        [
            obj("Tool", prop("annotations", Ref("Annotations"))),
            obj("Prompt", prop("annotations", Ref("Annotations"))),
            obj("Annotations", prop("audience", Array(STRING)), prop("priority", NUMBER)),
        ],
    )
    report = synthetic_diff(a, b)
    # two inline copies fold into one named type: only the real difference remains, once
    assert [(c.kind, c.subject) for c in report.changes] == [
        (Kind.FIELD_ADDED, "Annotations.priority")
    ]


def test_inherited_field_change_is_reported_once_on_the_base() -> None:
    base = lambda *p: obj("Result", *p)  # noqa: E731
    a = tool_call((), (prop("x", STRING),))
    b = tool_call((), (prop("x", STRING), prop("resultType", STRING, True)))
    a = revision("a", [*a.definitions.values(), base()], a.methods.values())
    b_defs = {
        **b.definitions,
        "CallToolResult": obj(
            "CallToolResult",
            *b.definitions["CallToolResult"].properties,
            bases=("Result",),
        ),
    }
    b = revision(
        "b",
        [*b_defs.values(), base(prop("resultType", STRING, True))],
        b.methods.values(),
    )
    report = synthetic_diff(a, b)
    fields = [c for c in report.changes if c.kind is Kind.FIELD_ADDED]
    assert [c.subject for c in fields] == ["Result.resultType"]
    assert fields[
        0
    ].breaks.old_server_new_client  # carried over from CallToolResult, sent by servers


def test_method_changes_direction_channel_and_removal() -> None:
    msg = lambda name, m: obj(name, prop("method", Const(m), True))  # noqa: E731
    defs = [
        msg("Sample", "sampling/createMessage"),
        msg("Ping", "ping"),
        msg("Log", "notifications/message"),
        obj("SampleResult"),
        obj("Empty"),
    ]
    a = revision(
        "a",
        defs,
        [
            method(
                "sampling/createMessage",
                "Sample",
                None,
                "SampleResult",
                direction="server_to_client",
            ),
            method("ping", "Ping", None, "Empty", direction="both"),
            method(
                "notifications/message",
                "Log",
                None,
                None,
                direction="server_to_client",
                kind="notification",
            ),
        ],
    )
    b = revision(
        "b",
        defs,
        [
            method(
                "sampling/createMessage",
                "Sample",
                None,
                "SampleResult",
                direction="server_to_client",
                input_only=True,
            ),
            method(
                "notifications/message",
                "Log",
                None,
                None,
                direction="both",
                kind="notification",
            ),
        ],
    )
    report = synthetic_diff(a, b)
    channel = find(report, Kind.METHOD_CHANNEL_CHANGED, "sampling/createMessage")
    assert channel.severity is Severity.BREAKING and channel.breaks == Breaks(True, True)
    assert "InputRequiredResult" in (channel.after or "")
    ping = find(report, Kind.METHOD_REMOVED, "ping")
    assert ping.breaks == Breaks(True, True) and "-32601" in ping.reason
    direction = find(report, Kind.METHOD_DIRECTION_CHANGED, "notifications/message")
    assert direction.breaks == OLD_SERVER  # new clients now send it to old servers
    assert direction.reason == "new clients send it, old servers do not handle it"


def test_capability_flags_and_deprecations() -> None:
    a = revision(
        "a",
        [
            obj("ClientCapabilities", prop("roots", Ref("ClientCapabilitiesRoots"))),
            obj(
                "ClientCapabilitiesRoots",
                prop("listChanged", Primitive("boolean")),
                parent="ClientCapabilities.roots",
            ),
        ],
    )
    b = revision(
        "b",
        [
            obj(
                "ClientCapabilities",
                prop("roots", Ref("ClientCapabilitiesRoots"), deprecated="use tools"),
                prop("extensions", Primitive("any")),
            ),
            obj("ClientCapabilitiesRoots", parent="ClientCapabilities.roots"),
        ],
    )
    report = synthetic_diff(a, b)
    assert find(report, Kind.CAPABILITY_ADDED, "client.extensions").severity is Severity.COMPATIBLE
    assert (
        find(report, Kind.CAPABILITY_REMOVED, "client.roots.listChanged").severity
        is Severity.WARNING
    )
    assert find(report, Kind.DEPRECATED, "client.roots").after == "use tools"
    absent(report, Kind.FIELD_ADDED)


def test_constants_and_error_codes() -> None:
    a = revision(
        "a",
        [],
        constants={
            "URL_ELICITATION_REQUIRED": -32042,
            "HEADER_MISMATCH": -32001,
            "LATEST_PROTOCOL_VERSION": "a",
        },
    )
    b = revision(
        "b",
        [],
        constants={"HEADER_MISMATCH": -32020, "UNSUPPORTED_PROTOCOL_VERSION": -32022},
    )
    report = synthetic_diff(a, b)
    renumbered = find(report, Kind.ERROR_CODE_CHANGED, "HEADER_MISMATCH")
    assert (renumbered.before, renumbered.after, renumbered.severity) == (
        "-32001",
        "-32020",
        Severity.BREAKING,
    )
    assert (
        find(report, Kind.ERROR_CODE_ADDED, "UNSUPPORTED_PROTOCOL_VERSION").severity
        is Severity.COMPATIBLE
    )
    assert (
        find(report, Kind.ERROR_CODE_REMOVED, "URL_ELICITATION_REQUIRED").severity
        is Severity.WARNING
    )
    assert (
        find(report, Kind.CONSTANT_CHANGED, "LATEST_PROTOCOL_VERSION").severity
        is Severity.COMPATIBLE
    )


def test_identical_revisions_have_no_changes() -> None:
    a = tool_call((prop("name", STRING, True),), (prop("content", Array(STRING), True),))
    assert synthetic_diff(a, a).changes == ()
