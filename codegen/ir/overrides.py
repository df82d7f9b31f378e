"""Named fixes of known upstream schema.json defects, applied before the IR is built.

schema.ts is normative; schema.json is rendered from it upstream and bends a few things.
Each override below names the places it corrects and the revisions it covers, as a
:class:`~mcp_foundry.sources.registry.Range` (``since(R)`` stays open, so a new revision
inherits every standing fix; ``between(R, S)`` closes where upstream changed). Applying
one ASSERTS the defective value: if upstream now holds the corrected value, the fix is
skipped and reported in one line (:attr:`Patched.fixed_upstream`) saying where to close
its range; any other value fails with :class:`UpstreamChanged` naming the override to
revisit, instead of silently patching something else. After all overrides,
:mod:`mcp_foundry.ir.crosscheck` must find nothing.

Paths are dotted from a definition: ``Def.prop.sub``; a segment suffix ``{}`` steps into
``additionalProperties``, ``|N`` into ``anyOf[N]``.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from typing import Any

import attrs
from mcp_foundry.ir.errors import GeneratorError
from mcp_foundry.ir.model import Override
from mcp_foundry.sources.registry import ALWAYS, Range, between, since, until

# TS `number` that schema.json renders as `integer`: the wire allows any JSON number.
NUMBER_AS_INTEGER: dict[str, Range] = {
    "RequestId": ALWAYS,
    "ProgressToken": ALWAYS,
    "Resource.size": ALWAYS,
    "ResourceLink.size": since("2025-06-18"),
    "CompleteResult.completion.total": ALWAYS,
    "CreateMessageRequest.params.maxTokens": until("2025-11-25"),
    "CreateMessageRequestParams.maxTokens": since("2025-11-25"),
    "JSONRPCError.error.code": until("2025-11-25"),
    "Error.code": since("2025-11-25"),
    "StringSchema.minLength": since("2025-06-18"),
    "StringSchema.maxLength": since("2025-06-18"),
    "TitledMultiSelectEnumSchema.minItems": since("2025-11-25"),
    "TitledMultiSelectEnumSchema.maxItems": since("2025-11-25"),
    "UntitledMultiSelectEnumSchema.minItems": since("2025-11-25"),
    "UntitledMultiSelectEnumSchema.maxItems": since("2025-11-25"),
    "ElicitResult.content{}": between("2025-06-18", "2025-11-25"),
    "ElicitResult.content{}|1": since("2025-11-25"),
    "Task.pollInterval": between("2025-11-25", "2026-07-28"),
    "Task.ttl": between("2025-11-25", "2026-07-28"),
    "TaskMetadata.ttl": between("2025-11-25", "2026-07-28"),
    "CacheableResult.ttlMs": since("2026-07-28"),
    "DiscoverResult.ttlMs": since("2026-07-28"),
    "ListPromptsResult.ttlMs": since("2026-07-28"),
    "ListResourceTemplatesResult.ttlMs": since("2026-07-28"),
    "ListResourcesResult.ttlMs": since("2026-07-28"),
    "ListToolsResult.ttlMs": since("2026-07-28"),
    "ReadResourceResult.ttlMs": since("2026-07-28"),
}

# Interfaces inheriting an index signature (from Result or MetaObject) that schema.json
# renders closed: it keeps `additionalProperties` only on the base.
INHERITED_INDEX_SIGNATURE: dict[str, Range] = {
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
        ALWAYS,
    ),
    **dict.fromkeys(
        ("CreateMessageResult", "InitializeResult", "ListRootsResult"), until("2026-07-28")
    ),
    "ElicitResult": between("2025-06-18", "2026-07-28"),
    **dict.fromkeys(("CreateTaskResult", "ListTasksResult"), between("2025-11-25", "2026-07-28")),
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
        since("2026-07-28"),
    ),
}

# `JSONValue = string | number | boolean | null | JSONObject | JSONArray`; schema.json's
# scalar member lists only string, integer and boolean.
JSON_VALUE_SCALARS: dict[str, Range] = {"JSONValue|2": since("2026-07-28")}

# TS open enums (`"a" | "b" | string`) that schema.json collapses to a bare string. The IR
# recovers the known values from schema.ts; the override asserts the collapse is still there.
OPEN_ENUMS: dict[str, Range] = {
    "CreateMessageResult.stopReason": ALWAYS,
    "ResultType": since("2026-07-28"),
}


# JSON Schema documents embedded in messages. Before 2026-07-28 schema.ts spells out a few
# keywords without an index signature, but the tools page says any JSON Schema keyword may
# appear (and 2026-07-28 adds the index signature): keep the other keywords, so a schema
# survives validation and projection to an older revision. This one follows the spec
# prose *against* schema.ts, so it also names the disagreement it creates (see
# PROSE_DISAGREEMENTS).
JSON_SCHEMA_DOCUMENTS: dict[str, Range] = {
    "Tool.inputSchema": until("2026-07-28"),
    "Tool.outputSchema": between("2025-06-18", "2026-07-28"),
}

PROSE_DISAGREEMENTS: dict[str, Range] = JSON_SCHEMA_DOCUMENTS
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


FIXED_UPSTREAM = "fixed upstream"
"""What a fix returns when the node already holds the value it would write."""

Fix = Callable[[dict[str, Any]], str | None]
"""Patches one schema node in place; returns None, :data:`FIXED_UPSTREAM`, or why it
could not (upstream changed the node some other way)."""


def _number_for_integer(node: dict[str, Any]) -> str | None:
    kind = node.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    if "number" in kinds and "integer" not in kinds:
        return FIXED_UPSTREAM
    if "integer" not in kinds or "number" in kinds:
        return f"expected an integer type, found {kind!r}"
    fixed = ["number" if k == "integer" else k for k in kinds]
    node["type"] = fixed if isinstance(kind, list) else fixed[0]
    return None


def _open_object(node: dict[str, Any]) -> str | None:
    if node.get("type") == "object" and node.get("additionalProperties") in ({}, True):
        return FIXED_UPSTREAM
    if "additionalProperties" in node or node.get("type") != "object":
        found = node.get("additionalProperties")
        return f"expected a closed object, found additionalProperties={found!r}"
    node["additionalProperties"] = {}
    return None


def _json_value_scalars(node: dict[str, Any]) -> str | None:
    if sorted(node.get("type") or ()) == ["boolean", "null", "number", "string"]:
        return FIXED_UPSTREAM
    if node.get("type") != ["string", "integer", "boolean"]:
        return f"expected ['string', 'integer', 'boolean'], found {node.get('type')!r}"
    node["type"] = ["string", "number", "boolean", "null"]
    return None


def _collapsed_enum(node: dict[str, Any]) -> str | None:
    if node.get("type") != "string" or "enum" in node:
        return f"expected a bare string, found {node!r}"
    return None


OVERRIDES: tuple[tuple[str, str, dict[str, Range], Fix], ...] = (
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


@attrs.frozen
class Patched:
    """schema.json's definitions with every override of one revision applied."""

    definitions: dict[str, Any]
    applied: list[Override]
    fixed_upstream: list[str]
    """One line per override this revision no longer needs: where to close its range."""


def apply_overrides(revision: str, schema_defs: Mapping[str, Any]) -> Patched:
    """A corrected deep copy of ``schema_defs``, the overrides applied to it, and the ones
    upstream has fixed in ``revision``."""
    patched: dict[str, Any] = copy.deepcopy(dict(schema_defs))
    applied: list[Override] = []
    fixed: list[str] = []
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
            if problem == FIXED_UPSTREAM:
                fixed.append(
                    f"override {name!r} at {path}: upstream fixed it in {revision}; "
                    f"close its range {revisions} there (until={revision!r})"
                )
            elif problem is not None:
                raise UpstreamChanged(f"override {name!r} at {revision} {path}: {problem}")
            else:
                applied.append(Override(name=name, target=path, reason=reason))
    return Patched(patched, applied, fixed)
