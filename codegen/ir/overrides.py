"""Named fixes of known upstream schema.json defects, applied before the IR is built.

schema.ts is normative; schema.json is rendered from it upstream and bends a few things.
Each override below names the places it corrects (per revision) and the value schema.json
holds there today. Applying one ASSERTS that old value: when upstream changes (fixes the
defect, renames a definition, changes a shape) generation fails with
:class:`UpstreamChanged` naming the override to revisit, instead of silently patching
something else. After all overrides, :mod:`mcp_foundry.ir.crosscheck` must find nothing.

Paths are dotted from a definition: ``Def.prop.sub``; a segment suffix ``{}`` steps into
``additionalProperties``, ``|N`` into ``anyOf[N]``.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from typing import Any

from mcp_foundry.ir.errors import GeneratorError
from mcp_foundry.ir.model import Override

ALL = ("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28", "draft")
UNTIL_2025_06 = ("2024-11-05", "2025-03-26", "2025-06-18")
LEGACY = ("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25")
SINCE_2025_06 = ("2025-06-18", "2025-11-25", "2026-07-28", "draft")
SINCE_2025_11 = ("2025-11-25", "2026-07-28", "draft")
ONLY_2025_11 = ("2025-11-25",)
MODERN = ("2026-07-28", "draft")

# TS `number` that schema.json renders as `integer`: the wire allows any JSON number.
NUMBER_AS_INTEGER: dict[str, tuple[str, ...]] = {
    "RequestId": ALL,
    "ProgressToken": ALL,
    "Resource.size": ALL,
    "ResourceLink.size": SINCE_2025_06,
    "CompleteResult.completion.total": ALL,
    "CreateMessageRequest.params.maxTokens": UNTIL_2025_06,
    "CreateMessageRequestParams.maxTokens": SINCE_2025_11,
    "JSONRPCError.error.code": UNTIL_2025_06,
    "Error.code": SINCE_2025_11,
    "StringSchema.minLength": SINCE_2025_06,
    "StringSchema.maxLength": SINCE_2025_06,
    "TitledMultiSelectEnumSchema.minItems": SINCE_2025_11,
    "TitledMultiSelectEnumSchema.maxItems": SINCE_2025_11,
    "UntitledMultiSelectEnumSchema.minItems": SINCE_2025_11,
    "UntitledMultiSelectEnumSchema.maxItems": SINCE_2025_11,
    "ElicitResult.content{}": ("2025-06-18",),
    "ElicitResult.content{}|1": SINCE_2025_11,
    "Task.pollInterval": ONLY_2025_11,
    "Task.ttl": ONLY_2025_11,
    "TaskMetadata.ttl": ONLY_2025_11,
    "CacheableResult.ttlMs": MODERN,
    "DiscoverResult.ttlMs": MODERN,
    "ListPromptsResult.ttlMs": MODERN,
    "ListResourceTemplatesResult.ttlMs": MODERN,
    "ListResourcesResult.ttlMs": MODERN,
    "ListToolsResult.ttlMs": MODERN,
    "ReadResourceResult.ttlMs": MODERN,
}

# Interfaces inheriting an index signature (from Result or MetaObject) that schema.json
# renders closed: it keeps `additionalProperties` only on the base.
INHERITED_INDEX_SIGNATURE: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        (
            "CallToolResult",
            "CompleteResult",
            "GetPromptResult",
            "ListPromptsResult",
            "ListResourceTemplatesResult",
            "ListResourcesResult",
            "ListToolsResult",
            "PaginatedResult",
            "ReadResourceResult",
        ),
        ALL,
    ),
    **dict.fromkeys(("CreateMessageResult", "InitializeResult", "ListRootsResult"), LEGACY),
    "ElicitResult": ("2025-06-18", "2025-11-25"),
    **dict.fromkeys(("CreateTaskResult", "ListTasksResult"), ONLY_2025_11),
    **dict.fromkeys(
        (
            "CacheableResult",
            "DiscoverResult",
            "InputRequiredResult",
            "SubscriptionsListenResult",
            "RequestMetaObject",
            "ResultMetaObject",
            "NotificationMetaObject",
            "SubscriptionsListenResultMetaObject",
        ),
        MODERN,
    ),
}

# `JSONValue = string | number | boolean | null | JSONObject | JSONArray`; schema.json's
# scalar member lists only string, integer and boolean.
JSON_VALUE_SCALARS: dict[str, tuple[str, ...]] = {"JSONValue|2": MODERN}

# TS open enums (`"a" | "b" | string`) that schema.json collapses to a bare string. The IR
# recovers the known values from schema.ts; the override asserts the collapse is still there.
OPEN_ENUMS: dict[str, tuple[str, ...]] = {
    "CreateMessageResult.stopReason": ALL,
    "ResultType": MODERN,
}


# JSON Schema documents embedded in messages. Before 2026-07-28 schema.ts spells out a few
# keywords without an index signature, but the tools page says any JSON Schema keyword may
# appear (and 2026-07-28 adds the index signature): keep the other keywords, so a schema
# survives validation and projection to an older revision. This one follows the spec
# prose *against* schema.ts, so it also names the disagreement it creates (see
# PROSE_DISAGREEMENTS).
JSON_SCHEMA_DOCUMENTS: dict[str, tuple[str, ...]] = {
    "Tool.inputSchema": LEGACY,
    "Tool.outputSchema": ("2025-06-18", "2025-11-25"),
}

PROSE_DISAGREEMENTS: dict[str, tuple[str, ...]] = JSON_SCHEMA_DOCUMENTS
"""Paths where the IR knowingly departs from schema.ts; ``check`` does not report them."""


class UpstreamChanged(GeneratorError):
    """An override no longer matches what it was written to replace."""


_SEGMENT = re.compile(r"^([^{|]+)((?:\{\}|\|\d+)*)$")


def _locate(schema_defs: Mapping[str, Any], path: str) -> dict[str, Any]:
    node: Any = None
    for index, segment in enumerate(path.split(".")):
        match = _SEGMENT.match(segment)
        if match is None:
            raise ValueError(f"bad override path {path!r}")
        name, steps = match.groups()
        if index == 0:
            node = schema_defs.get(name)
        else:
            node = node.get("properties", {}).get(name) if isinstance(node, dict) else None
        for step in re.findall(r"\{\}|\|\d+", steps):
            if not isinstance(node, dict):
                break
            node = (
                node.get("additionalProperties")
                if step == "{}"
                else (node.get("anyOf", [None] * (int(step[1:]) + 1))[int(step[1:])])
            )
        if not isinstance(node, dict):
            raise KeyError(path)
    assert isinstance(node, dict)
    return node


Fix = Callable[[dict[str, Any]], str | None]
"""Patches one schema node in place; returns why it could not (upstream changed) or None."""


def _number_for_integer(node: dict[str, Any]) -> str | None:
    kind = node.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    if "integer" not in kinds or "number" in kinds:
        return f"expected an integer type, found {kind!r}"
    fixed = ["number" if k == "integer" else k for k in kinds]
    node["type"] = fixed if isinstance(kind, list) else fixed[0]
    return None


def _open_object(node: dict[str, Any]) -> str | None:
    if "additionalProperties" in node or node.get("type") != "object":
        return f"expected a closed object, found additionalProperties={node.get('additionalProperties')!r}"
    node["additionalProperties"] = {}
    return None


def _json_value_scalars(node: dict[str, Any]) -> str | None:
    if node.get("type") != ["string", "integer", "boolean"]:
        return f"expected ['string', 'integer', 'boolean'], found {node.get('type')!r}"
    node["type"] = ["string", "number", "boolean", "null"]
    return None


def _collapsed_enum(node: dict[str, Any]) -> str | None:
    if node.get("type") != "string" or "enum" in node:
        return f"expected a bare string, found {node!r}"
    return None


OVERRIDES: tuple[tuple[str, str, dict[str, tuple[str, ...]], Fix], ...] = (
    (
        "number-rendered-as-integer",
        "schema.ts declares `number`; schema.json narrows it to `integer`.",
        NUMBER_AS_INTEGER,
        _number_for_integer,
    ),
    (
        "inherited-index-signature",
        "the interface inherits `[key: string]: unknown`; schema.json drops it.",
        INHERITED_INDEX_SIGNATURE,
        _open_object,
    ),
    (
        "json-value-null-and-number",
        "JSONValue includes `number` and `null` in schema.ts; schema.json lists neither.",
        JSON_VALUE_SCALARS,
        _json_value_scalars,
    ),
    (
        "json-schema-documents-open",
        "an embedded JSON Schema may carry any keyword (server/tools.mdx); schema.ts lists a "
        "few without an index signature.",
        JSON_SCHEMA_DOCUMENTS,
        _open_object,
    ),
    (
        "open-enum-collapsed",
        'schema.ts has an open enum (`"a" | string`); schema.json keeps only `string`, '
        "the IR recovers the known values from schema.ts.",
        OPEN_ENUMS,
        _collapsed_enum,
    ),
)


def apply_overrides(
    revision: str, schema_defs: Mapping[str, Any]
) -> tuple[dict[str, Any], list[Override]]:
    """A corrected deep copy of ``schema_defs`` and the overrides applied to it."""
    patched: dict[str, Any] = copy.deepcopy(dict(schema_defs))
    applied: list[Override] = []
    for name, reason, targets, fix in OVERRIDES:
        for path, revisions in sorted(targets.items()):
            if revision not in revisions:
                continue
            try:
                node = _locate(patched, path)
            except KeyError:
                raise UpstreamChanged(
                    f"override {name!r}: {revision} has no {path} any more; revisit it"
                ) from None
            problem = fix(node)
            if problem is not None:
                raise UpstreamChanged(f"override {name!r} at {revision} {path}: {problem}")
            applied.append(Override(name=name, target=path, reason=reason))
    return patched, applied
