"""The diff as a plain JSON document: the stable output format (version ``FORMAT``).

``schema/diff-report.schema.json`` describes it; tests validate every output against it.
Consumers may rely on: the fields listed there, change ``id`` being stable for the same
pair of inputs, and changes ordered by severity (breaking, warning, info), then area and
subject. New kinds of change may appear in later versions of the tool without a
``FORMAT`` bump; removals or renames of fields bump it.
"""

from __future__ import annotations

import json
from typing import Any

from mcp_foundry.diff.model import Area, Change, DiffReport, Severity, Side

FORMAT = "mcp-foundry-diff/1"
SCHEMA_ID = "https://github.com/modelcontextprotocol/mcp-foundry/schema/diff-report.schema.json"

AREA_TITLES = {
    Area.PROTOCOL: "Protocol",
    Area.METHOD: "Methods",
    Area.CAPABILITY: "Capabilities",
    Area.TYPE: "Types",
    Area.FIELD: "Fields",
    Area.CONSTANT: "Constants",
    Area.ERROR_CODE: "Error codes",
    Area.TOOL: "Tools",
    Area.ARGUMENT: "Tool arguments",
    Area.OUTPUT: "Tool outputs",
    Area.PROMPT: "Prompts",
    Area.RESOURCE_TEMPLATE: "Resource templates",
}
SEVERITY_TITLES = {
    Severity.BREAKING: "Breaking changes",
    Severity.WARNING: "Warnings",
    Severity.COMPATIBLE: "Compatible changes",
}


def _side(side: Side) -> dict[str, str]:
    return {"label": side.label, "revision": side.revision, "source": side.source}


def _change(change: Change, change_id: str) -> dict[str, Any]:
    return {
        "id": change_id,
        "severity": change.severity.value,
        "kind": change.kind.value,
        "area": change.area.value,
        "subject": change.subject,
        "before": change.before,
        "after": change.after,
        "breaks": {
            "old_client_new_server": change.breaks.old_client_new_server,
            "old_server_new_client": change.breaks.old_server_new_client,
        },
        "reason": change.reason,
    }


def build(report: DiffReport) -> dict[str, Any]:
    seen: dict[str, int] = {}
    changes = []
    for change in report.changes:
        base = f"{change.kind.value}:{change.subject}"
        seen[base] = seen.get(base, 0) + 1
        changes.append(_change(change, base if seen[base] == 1 else f"{base}#{seen[base]}"))
    return {
        "$schema": SCHEMA_ID,
        "format": FORMAT,
        "compared": report.compared,
        "before": _side(report.before),
        "after": _side(report.after),
        "summary": {
            "total": len(report.changes),
            "breaking": report.count(Severity.BREAKING),
            "warning": report.count(Severity.WARNING),
            "compatible": report.count(Severity.COMPATIBLE),
            "old_client_new_server": sum(c.breaks.old_client_new_server for c in report.changes),
            "old_server_new_client": sum(c.breaks.old_server_new_client for c in report.changes),
        },
        "changes": changes,
    }


def render_json(report: DiffReport) -> str:
    return json.dumps(build(report), indent=2, ensure_ascii=False) + "\n"
