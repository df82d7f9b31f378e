"""``mcp-foundry server diff``: every classification rule on a minimal pair of surfaces,
then the command itself (report formats, the JSON schema, the ``--fail-on`` gate, a
snapshot against a live server)."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from mcp_foundry import paths
from mcp_foundry.diff.model import Area, Breaks, Change, Kind, Severity
from mcp_foundry.servergen.compare import compare
from mcp_foundry.servergen.surface import build

from .conftest import EVERYTHING
from .support import run_cli

NOBODY = Breaks()
CALLERS = Breaks(old_client_new_server=True)
"""Callers built against the old release, calling the new one."""
NEW_CALLERS = Breaks(old_server_new_client=True)
"""Callers built against the new release, reaching a server still at the old one."""
BOTH = Breaks(True, True)


def obj(properties: dict[str, Any], required: tuple[str, ...] = (), **more: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(required), **more}


def tool(name: str = "forecast", inputs: Any = None, output: Any = None) -> dict[str, Any]:
    found: dict[str, Any] = {"name": name, "inputSchema": inputs or obj({})}
    if output is not None:
        found["outputSchema"] = output
    return found


CITY = {"type": "string"}
UNIT = {"type": "string", "enum": ["c", "f"]}
BASE_IN = obj({"city": CITY, "unit": UNIT, "days": {"type": "number"}}, ("city",))
BASE_OUT = obj({"temp": {"type": "number"}, "note": {"type": "string"}, "unit": UNIT}, ("temp",))


def changes(before: list[Any], after: list[Any], kind: str = "tools") -> list[Change]:
    report = compare(build({kind: before}), build({kind: after}), "a.json", "b.json")
    return list(report.changes)


def only(found: list[Change]) -> Change:
    assert len(found) == 1, found
    return found[0]


def with_input(**properties: Any) -> dict[str, Any]:
    inputs = json.loads(json.dumps(BASE_IN))
    for name, schema in properties.items():
        if schema is None:
            inputs["properties"].pop(name)
        else:
            inputs["properties"][name] = schema
    return tool(inputs=inputs, output=BASE_OUT)


def with_output(**properties: Any) -> dict[str, Any]:
    output = json.loads(json.dumps(BASE_OUT))
    for name, schema in properties.items():
        if schema is None:
            output["properties"].pop(name)
        else:
            output["properties"][name] = schema
    return tool(inputs=BASE_IN, output=output)


BASE = tool(inputs=BASE_IN, output=BASE_OUT)

# rule -> (before tool, after tool, kind, area, subject, severity, breaks)
RULES: dict[str, tuple[Any, Any, Kind, Area, str, Severity, Breaks]] = {
    "required argument added": (
        BASE,
        tool(
            inputs={
                **BASE_IN,
                "properties": {**BASE_IN["properties"], "lat": CITY},
                "required": ["city", "lat"],
            },
            output=BASE_OUT,
        ),
        Kind.FIELD_ADDED,
        Area.ARGUMENT,
        "forecast(lat)",
        Severity.BREAKING,
        CALLERS,
    ),
    "optional argument added": (
        BASE,
        with_input(lang=CITY),
        Kind.FIELD_ADDED,
        Area.ARGUMENT,
        "forecast(lang)",
        Severity.COMPATIBLE,
        NOBODY,
    ),
    "argument type narrowed": (
        BASE,
        with_input(days={"type": "integer"}),
        Kind.FIELD_TYPE_CHANGED,
        Area.ARGUMENT,
        "forecast(days)",
        Severity.BREAKING,
        CALLERS,
    ),
    "argument type widened": (
        with_input(days={"type": "integer"}),
        BASE,
        Kind.FIELD_TYPE_CHANGED,
        Area.ARGUMENT,
        "forecast(days)",
        Severity.COMPATIBLE,
        NEW_CALLERS,
    ),
    "argument type changed": (
        BASE,
        with_input(days={"type": "string"}),
        Kind.FIELD_TYPE_CHANGED,
        Area.ARGUMENT,
        "forecast(days)",
        Severity.BREAKING,
        BOTH,
    ),
    "argument enum value removed": (
        BASE,
        with_input(unit={"type": "string", "enum": ["c"]}),
        Kind.ENUM_VALUES_REMOVED,
        Area.ARGUMENT,
        "forecast(unit)",
        Severity.BREAKING,
        CALLERS,
    ),
    "argument enum value added": (
        BASE,
        with_input(unit={"type": "string", "enum": ["c", "f", "k"]}),
        Kind.ENUM_VALUES_ADDED,
        Area.ARGUMENT,
        "forecast(unit)",
        Severity.COMPATIBLE,
        NEW_CALLERS,
    ),
    "argument now limited to a list": (
        BASE,
        with_input(city={"type": "string", "enum": ["Paris"]}),
        Kind.FIELD_TYPE_CHANGED,
        Area.ARGUMENT,
        "forecast(city)",
        Severity.BREAKING,
        CALLERS,
    ),
    "argument const changed": (
        with_input(v={"const": 1}),
        with_input(v={"const": 2}),
        Kind.CONST_CHANGED,
        Area.ARGUMENT,
        "forecast(v)",
        Severity.BREAKING,
        BOTH,
    ),
    "argument minimum raised": (
        BASE,
        with_input(days={"type": "number", "minimum": 1}),
        Kind.CONSTRAINT_CHANGED,
        Area.ARGUMENT,
        "forecast(days)",
        Severity.BREAKING,
        CALLERS,
    ),
    "argument maximum raised": (
        with_input(days={"type": "number", "maximum": 7}),
        with_input(days={"type": "number", "maximum": 14}),
        Kind.CONSTRAINT_CHANGED,
        Area.ARGUMENT,
        "forecast(days)",
        Severity.COMPATIBLE,
        NEW_CALLERS,
    ),
    "argument pattern changed": (
        with_input(city={"type": "string", "pattern": "^[A-Z]"}),
        with_input(city={"type": "string", "pattern": "^[a-z]"}),
        Kind.CONSTRAINT_CHANGED,
        Area.ARGUMENT,
        "forecast(city)",
        Severity.BREAKING,
        BOTH,
    ),
    "argument alternative removed": (
        with_input(days={"anyOf": [{"type": "number"}, {"type": "string"}]}),
        with_input(days={"anyOf": [{"type": "number"}]}),
        Kind.UNION_MEMBER_REMOVED,
        Area.ARGUMENT,
        "forecast(days)",
        Severity.BREAKING,
        CALLERS,
    ),
    "argument alternative added": (
        with_input(days={"anyOf": [{"type": "number"}]}),
        with_input(days={"anyOf": [{"type": "number"}, {"type": "string"}]}),
        Kind.UNION_MEMBER_ADDED,
        Area.ARGUMENT,
        "forecast(days)",
        Severity.COMPATIBLE,
        NEW_CALLERS,
    ),
    "argument made nullable": (
        BASE,
        with_input(city={"type": ["string", "null"]}),
        Kind.FIELD_TYPE_CHANGED,
        Area.ARGUMENT,
        "forecast(city)",
        Severity.COMPATIBLE,
        NEW_CALLERS,
    ),
    "argument now required": (
        BASE,
        tool(inputs={**BASE_IN, "required": ["city", "days"]}, output=BASE_OUT),
        Kind.FIELD_NOW_REQUIRED,
        Area.ARGUMENT,
        "forecast(days)",
        Severity.BREAKING,
        CALLERS,
    ),
    "argument now optional": (
        BASE,
        tool(inputs={**BASE_IN, "required": []}, output=BASE_OUT),
        Kind.FIELD_NOW_OPTIONAL,
        Area.ARGUMENT,
        "forecast(city)",
        Severity.COMPATIBLE,
        NEW_CALLERS,
    ),
    "optional argument removed from an open object": (
        BASE,
        with_input(days=None),
        Kind.FIELD_REMOVED,
        Area.ARGUMENT,
        "forecast(days)",
        Severity.WARNING,
        NOBODY,
    ),
    "optional argument removed from a closed object": (
        tool(inputs={**BASE_IN, "additionalProperties": False}, output=BASE_OUT),
        tool(
            inputs={
                **BASE_IN,
                "properties": {"city": CITY, "unit": UNIT},
                "additionalProperties": False,
            },
            output=BASE_OUT,
        ),
        Kind.FIELD_REMOVED,
        Area.ARGUMENT,
        "forecast(days)",
        Severity.BREAKING,
        CALLERS,
    ),
    "arguments closed to unknown keys": (
        BASE,
        tool(inputs={**BASE_IN, "additionalProperties": False}, output=BASE_OUT),
        Kind.OBJECT_CLOSED,
        Area.ARGUMENT,
        "forecast()",
        Severity.BREAKING,
        CALLERS,
    ),
    "nested required argument added behind a $ref": (
        tool(
            inputs=obj(
                {"to": {"$ref": "#/$defs/a"}}, ("to",), **{"$defs": {"a": obj({"street": CITY})}}
            )
        ),
        tool(
            inputs=obj(
                {"to": {"$ref": "#/$defs/a"}},
                ("to",),
                **{"$defs": {"a": obj({"street": CITY, "zip": CITY}, ("zip",))}},
            )
        ),
        Kind.FIELD_ADDED,
        Area.ARGUMENT,
        "forecast(to.zip)",
        Severity.BREAKING,
        CALLERS,
    ),
    "array items narrowed": (
        with_input(tags={"type": "array", "items": {"type": "number"}}),
        with_input(tags={"type": "array", "items": {"type": "integer"}}),
        Kind.FIELD_TYPE_CHANGED,
        Area.ARGUMENT,
        "forecast(tags[])",
        Severity.BREAKING,
        CALLERS,
    ),
    "required output field removed": (
        BASE,
        tool(inputs=BASE_IN, output=obj({"note": CITY, "unit": UNIT})),
        Kind.FIELD_REMOVED,
        Area.OUTPUT,
        "forecast() -> temp",
        Severity.BREAKING,
        CALLERS,
    ),
    "optional output field removed": (
        BASE,
        with_output(note=None),
        Kind.FIELD_REMOVED,
        Area.OUTPUT,
        "forecast() -> note",
        Severity.BREAKING,
        CALLERS,
    ),
    "output field added": (
        BASE,
        with_output(wind={"type": "number"}),
        Kind.FIELD_ADDED,
        Area.OUTPUT,
        "forecast() -> wind",
        Severity.COMPATIBLE,
        NOBODY,
    ),
    "output enum value added": (
        BASE,
        with_output(unit={"type": "string", "enum": ["c", "f", "k"]}),
        Kind.ENUM_VALUES_ADDED,
        Area.OUTPUT,
        "forecast() -> unit",
        Severity.BREAKING,
        CALLERS,
    ),
    "output enum value removed": (
        BASE,
        with_output(unit={"type": "string", "enum": ["c"]}),
        Kind.ENUM_VALUES_REMOVED,
        Area.OUTPUT,
        "forecast() -> unit",
        Severity.COMPATIBLE,
        NEW_CALLERS,
    ),
    "output made nullable": (
        BASE,
        with_output(note={"type": ["string", "null"]}),
        Kind.FIELD_TYPE_CHANGED,
        Area.OUTPUT,
        "forecast() -> note",
        Severity.BREAKING,
        CALLERS,
    ),
    "output schema removed": (
        BASE,
        tool(inputs=BASE_IN),
        Kind.OUTPUT_SCHEMA_REMOVED,
        Area.TOOL,
        "forecast",
        Severity.BREAKING,
        CALLERS,
    ),
    "output schema added": (
        tool(inputs=BASE_IN),
        BASE,
        Kind.OUTPUT_SCHEMA_ADDED,
        Area.TOOL,
        "forecast",
        Severity.COMPATIBLE,
        NOBODY,
    ),
    "tool removed": (
        BASE,
        tool(name="other", inputs=BASE_IN, output=BASE_OUT),
        Kind.TOOL_REMOVED,
        Area.TOOL,
        "forecast",
        Severity.BREAKING,
        CALLERS,
    ),
}


@pytest.mark.parametrize("rule", RULES)
def test_tool_rule(rule: str) -> None:
    before, after, kind, area, subject, severity, breaks = RULES[rule]
    found = [c for c in changes([before], [after]) if c.kind is not Kind.TOOL_ADDED]
    change = only(found)
    assert (change.kind, change.area, change.subject) == (kind, area, subject)
    assert (change.severity, change.breaks) == (severity, breaks), change.reason
    assert change.reason


def test_tool_added_is_compatible() -> None:
    change = only(changes([BASE], [BASE, tool(name="alerts")]))
    assert (change.kind, change.subject, change.severity) == (
        Kind.TOOL_ADDED,
        "alerts",
        Severity.COMPATIBLE,
    )
    assert change.breaks == NEW_CALLERS


def test_descriptions_titles_and_order_change_nothing() -> None:
    described = json.loads(json.dumps(BASE))
    described["description"] = "now documented"
    described["inputSchema"]["properties"]["city"]["description"] = "where"
    described["inputSchema"]["title"] = "forecastArguments"
    assert changes([BASE, tool(name="b")], [tool(name="b"), described]) == []


def test_recursive_schemas_compare_and_terminate() -> None:
    node = obj({"label": CITY, "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}})
    deeper = obj(
        {
            "label": CITY,
            "weight": {"type": "number"},
            "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
        },
        ("weight",),
    )
    before = tool(inputs=obj({"root": {"$ref": "#/$defs/node"}}, **{"$defs": {"node": node}}))
    after = tool(inputs=obj({"root": {"$ref": "#/$defs/node"}}, **{"$defs": {"node": deeper}}))
    found = changes([before], [after])
    assert {(c.subject, c.severity) for c in found} >= {
        ("forecast(root.weight)", Severity.BREAKING)
    }


PROMPT = {"name": "review", "arguments": [{"name": "code", "required": True}, {"name": "lang"}]}

PROMPT_RULES: dict[str, tuple[Any, Kind, str, Severity, Breaks]] = {
    "prompt removed": ([], Kind.PROMPT_REMOVED, "review", Severity.BREAKING, CALLERS),
    "required prompt argument added": (
        [{**PROMPT, "arguments": [*PROMPT["arguments"], {"name": "style", "required": True}]}],
        Kind.FIELD_ADDED,
        "review(style)",
        Severity.BREAKING,
        CALLERS,
    ),
    "optional prompt argument added": (
        [{**PROMPT, "arguments": [*PROMPT["arguments"], {"name": "style"}]}],
        Kind.FIELD_ADDED,
        "review(style)",
        Severity.COMPATIBLE,
        NOBODY,
    ),
    "prompt argument now required": (
        [
            {
                **PROMPT,
                "arguments": [
                    {"name": "code", "required": True},
                    {"name": "lang", "required": True},
                ],
            }
        ],
        Kind.FIELD_NOW_REQUIRED,
        "review(lang)",
        Severity.BREAKING,
        CALLERS,
    ),
    "prompt argument removed": (
        [{**PROMPT, "arguments": [{"name": "code", "required": True}]}],
        Kind.FIELD_REMOVED,
        "review(lang)",
        Severity.BREAKING,
        CALLERS,
    ),
}


@pytest.mark.parametrize("rule", PROMPT_RULES)
def test_prompt_rule(rule: str) -> None:
    after, kind, subject, severity, breaks = PROMPT_RULES[rule]
    change = only(changes([PROMPT], after, "prompts"))
    assert (change.kind, change.subject, change.severity, change.breaks) == (
        kind,
        subject,
        severity,
        breaks,
    )


def test_prompt_added_is_compatible() -> None:
    change = only(changes([], [PROMPT], "prompts"))
    assert (change.kind, change.area, change.severity) == (
        Kind.PROMPT_ADDED,
        Area.PROMPT,
        Severity.COMPATIBLE,
    )


TEMPLATE = {"name": "greeting", "uriTemplate": "demo://greetings/{who}"}


def test_resource_template_rules() -> None:
    removed = only(changes([TEMPLATE], [], "resource_templates"))
    assert (removed.kind, removed.severity) == (Kind.RESOURCE_TEMPLATE_REMOVED, Severity.BREAKING)
    added = only(changes([], [TEMPLATE], "resource_templates"))
    assert (added.kind, added.severity) == (Kind.RESOURCE_TEMPLATE_ADDED, Severity.COMPATIBLE)
    moved = {**TEMPLATE, "uriTemplate": "demo://hello/{who}"}
    changed = only(changes([TEMPLATE], [moved], "resource_templates"))
    assert (changed.kind, changed.severity, changed.breaks) == (
        Kind.URI_TEMPLATE_CHANGED,
        Severity.BREAKING,
        BOTH,
    )
    assert (changed.before, changed.after) == (TEMPLATE["uriTemplate"], moved["uriTemplate"])


def _snapshots(tmp_path: Any, after: list[Any]) -> tuple[str, str]:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps({"tools": [BASE]}))
    b.write_text(json.dumps({"tools": after}))
    return str(a), str(b)


def test_json_report_follows_the_published_schema(tmp_path: Any) -> None:
    a, b = _snapshots(tmp_path, [with_input(days={"type": "integer"}), tool(name="alerts")])
    done = run_cli("server", "diff", a, b, "--format", "json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    jsonschema.validate(doc, json.loads(paths.DIFF_REPORT_SCHEMA.read_text()))
    assert doc["compared"] == "server"
    assert doc["summary"]["breaking"] == 1 and doc["summary"]["compatible"] == 1
    assert [c["id"] for c in doc["changes"]] == [
        "field_type_changed:forecast(days)",
        "tool_added:alerts",
    ]


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_every_report_format_names_a_server_diff(tmp_path: Any, fmt: str) -> None:
    a, b = _snapshots(tmp_path, [])
    done = run_cli("server", "diff", a, b, "--format", fmt)
    assert done.returncode == 0, done.stderr
    assert "MCP server" in done.stdout and "forecast" in done.stdout


@pytest.mark.parametrize(
    ("after", "gate", "status"),
    [
        ([BASE, tool(name="alerts")], "breaking", 0),
        ([BASE, tool(name="alerts")], "any", 1),
        ([with_input(days={"type": "integer"})], "breaking", 1),
        ([BASE], "any", 0),
    ],
)
def test_fail_on_gate(tmp_path: Any, after: list[Any], gate: str, status: int) -> None:
    a, b = _snapshots(tmp_path, after)
    done = run_cli("server", "diff", a, b, "--fail-on", gate)
    assert done.returncode == status, done.stdout + done.stderr


def test_a_snapshot_against_the_live_server(tmp_path: Any) -> None:
    snapshot = tmp_path / "everything.json"
    assert run_cli("server", "snapshot", "-o", str(snapshot), "--", *EVERYTHING).returncode == 0
    doc = json.loads(snapshot.read_text())
    (greet,) = [t for t in doc["tools"] if t["name"] == "greet"]
    greet["inputSchema"]["required"] = []  # the live server now requires what was optional
    doc["tools"].append(tool(name="retired"))
    snapshot.write_text(json.dumps(doc))
    live = " ".join(EVERYTHING)
    done = run_cli(
        "server", "diff", str(snapshot), live, "--format", "json", "--fail-on", "breaking"
    )
    assert done.returncode == 1, done.stderr
    found = {(c["kind"], c["subject"], c["severity"]) for c in json.loads(done.stdout)["changes"]}
    assert found == {
        ("field_now_required", "greet(name)", "breaking"),
        ("tool_removed", "retired", "breaking"),
    }
