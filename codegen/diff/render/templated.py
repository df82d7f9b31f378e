"""The human-readable views, rendered from the JSON document through Jinja2 templates
in ``templates/diff/``."""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2
from mcp_foundry import paths
from mcp_foundry.diff.model import DiffReport, Severity
from mcp_foundry.diff.render.document import AREA_TITLES, SEVERITY_TITLES, build

KIND_PHRASES = {
    "era_changed": "era changed",
    "batching_changed": "batching changed",
    "method_added": "added",
    "method_removed": "removed",
    "method_kind_changed": "kind changed",
    "method_direction_changed": "direction changed",
    "method_channel_changed": "channel changed",
    "method_params_changed": "params type changed",
    "method_params_required_changed": "params requiredness changed",
    "method_result_changed": "result type changed",
    "method_alt_result_added": "may answer with another result",
    "method_alt_result_removed": "no longer answers with a result",
    "method_capability_changed": "capability gate changed",
    "capability_added": "flag added",
    "capability_removed": "flag removed",
    "type_added": "added",
    "type_removed": "removed",
    "type_renamed": "renamed",
    "type_changed": "changed",
    "object_opened": "now keeps unknown keys",
    "object_closed": "now drops unknown keys",
    "field_added": "added",
    "field_removed": "removed",
    "field_now_required": "now required",
    "field_now_optional": "now optional",
    "field_type_changed": "type changed",
    "enum_values_added": "values added",
    "enum_values_removed": "values removed",
    "const_changed": "literal changed",
    "constraint_changed": "constraint changed",
    "union_member_added": "alternative added",
    "union_member_removed": "alternative removed",
    "deprecated": "deprecated",
    "undeprecated": "no longer deprecated",
    "constant_added": "added",
    "constant_removed": "removed",
    "constant_changed": "changed",
    "error_code_added": "added",
    "error_code_removed": "removed",
    "error_code_changed": "changed",
    "tool_added": "added",
    "tool_removed": "removed",
    "output_schema_added": "output schema added",
    "output_schema_removed": "output schema removed",
    "prompt_added": "added",
    "prompt_removed": "removed",
    "resource_template_added": "added",
    "resource_template_removed": "removed",
    "uri_template_changed": "URI template changed",
}


def who(breaks: dict[str, bool]) -> str:
    pairs = [
        label
        for key, label in (
            ("old_client_new_server", "old client ↔ new server"),
            ("old_server_new_client", "old server ↔ new client"),
        )
        if breaks[key]
    ]
    return ", ".join(pairs) or "nobody"


def code(text: str | None) -> str:
    """Inline markdown code that survives backticks inside the text."""
    if text is None:
        return "—"
    return f"`` {text} ``" if "`" in text else f"`{text}`"


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(paths.TEMPLATES / "diff"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["who"] = who
    env.filters["phrase"] = KIND_PHRASES.__getitem__
    env.filters["code"] = code
    env.filters["capitalize_first"] = lambda text: text[:1].upper() + text[1:]
    return env


def _context(report: DiffReport) -> dict[str, Any]:
    doc = build(report)
    groups = []
    for severity in Severity:
        items = [c for c in doc["changes"] if c["severity"] == severity.value]
        areas = [
            (title, [c for c in items if c["area"] == area.value])
            for area, title in AREA_TITLES.items()
        ]
        groups.append(
            (
                severity.value,
                SEVERITY_TITLES[severity],
                items,
                [a for a in areas if a[1]],
            )
        )
    return {
        "doc": doc,
        "groups": groups,
        "areas": [(a.value, t) for a, t in AREA_TITLES.items()],
    }


def _render(name: str, report: DiffReport) -> str:
    return _environment().get_template(name).render(**_context(report))


def render_text(report: DiffReport) -> str:
    return _render("report.txt.j2", report)


def render_markdown(report: DiffReport) -> str:
    return _render("report.md.j2", report)


def render_html(report: DiffReport) -> str:
    return _render("report.html.j2", report)
