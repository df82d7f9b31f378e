"""The change records a diff produces: what changed, how badly, and for which pairing.

The JSON renderer dumps these records as they are; ``schema/diff-report.schema.json``
documents that shape and is part of the command's stable interface.
"""

from __future__ import annotations

from enum import Enum

import attrs


def one_line(text: str) -> str:
    """Reports show JSDoc texts (deprecation notes) on one line."""
    return " ".join(text.split())


class Severity(str, Enum):
    """``breaking``: some pairing of peers fails on the wire. ``warning``: it keeps working
    but loses or changes meaning. ``compatible``: works for every pairing."""

    BREAKING = "breaking"
    WARNING = "warning"
    COMPATIBLE = "compatible"


SEVERITY_ORDER = {Severity.BREAKING: 0, Severity.WARNING: 1, Severity.COMPATIBLE: 2}


class Area(str, Enum):
    """What kind of thing the subject is; the reports group by it."""

    PROTOCOL = "protocol"
    METHOD = "method"
    CAPABILITY = "capability"
    TYPE = "type"
    FIELD = "field"
    CONSTANT = "constant"
    ERROR_CODE = "error_code"
    # a server's own surface (``mcp-foundry server diff``)
    TOOL = "tool"
    ARGUMENT = "argument"
    OUTPUT = "output"
    PROMPT = "prompt"
    RESOURCE_TEMPLATE = "resource_template"


class Kind(str, Enum):
    ERA_CHANGED = "era_changed"
    BATCHING_CHANGED = "batching_changed"
    METHOD_ADDED = "method_added"
    METHOD_REMOVED = "method_removed"
    METHOD_KIND_CHANGED = "method_kind_changed"
    METHOD_DIRECTION_CHANGED = "method_direction_changed"
    METHOD_CHANNEL_CHANGED = "method_channel_changed"
    METHOD_PARAMS_CHANGED = "method_params_changed"
    METHOD_PARAMS_REQUIRED_CHANGED = "method_params_required_changed"
    METHOD_RESULT_CHANGED = "method_result_changed"
    METHOD_ALT_RESULT_ADDED = "method_alt_result_added"
    METHOD_ALT_RESULT_REMOVED = "method_alt_result_removed"
    METHOD_CAPABILITY_CHANGED = "method_capability_changed"
    CAPABILITY_ADDED = "capability_added"
    CAPABILITY_REMOVED = "capability_removed"
    TYPE_ADDED = "type_added"
    TYPE_REMOVED = "type_removed"
    TYPE_RENAMED = "type_renamed"
    TYPE_CHANGED = "type_changed"
    OBJECT_OPENED = "object_opened"
    OBJECT_CLOSED = "object_closed"
    FIELD_ADDED = "field_added"
    FIELD_REMOVED = "field_removed"
    FIELD_NOW_REQUIRED = "field_now_required"
    FIELD_NOW_OPTIONAL = "field_now_optional"
    FIELD_TYPE_CHANGED = "field_type_changed"
    ENUM_VALUES_ADDED = "enum_values_added"
    ENUM_VALUES_REMOVED = "enum_values_removed"
    CONST_CHANGED = "const_changed"
    CONSTRAINT_CHANGED = "constraint_changed"
    UNION_MEMBER_ADDED = "union_member_added"
    UNION_MEMBER_REMOVED = "union_member_removed"
    DEPRECATED = "deprecated"
    UNDEPRECATED = "undeprecated"
    CONSTANT_ADDED = "constant_added"
    CONSTANT_REMOVED = "constant_removed"
    CONSTANT_CHANGED = "constant_changed"
    ERROR_CODE_ADDED = "error_code_added"
    ERROR_CODE_REMOVED = "error_code_removed"
    ERROR_CODE_CHANGED = "error_code_changed"
    TOOL_ADDED = "tool_added"
    TOOL_REMOVED = "tool_removed"
    OUTPUT_SCHEMA_ADDED = "output_schema_added"
    OUTPUT_SCHEMA_REMOVED = "output_schema_removed"
    PROMPT_ADDED = "prompt_added"
    PROMPT_REMOVED = "prompt_removed"
    RESOURCE_TEMPLATE_ADDED = "resource_template_added"
    RESOURCE_TEMPLATE_REMOVED = "resource_template_removed"
    URI_TEMPLATE_CHANGED = "uri_template_changed"


@attrs.frozen
class Breaks:
    """Which mixed-version pairing a change can break.

    ``old_client_new_server``: a client built for revision A talking to a server built for
    B. ``old_server_new_client``: a server built for A serving a client built for B.
    """

    old_client_new_server: bool = False
    old_server_new_client: bool = False

    def __or__(self, other: Breaks) -> Breaks:
        return Breaks(
            self.old_client_new_server or other.old_client_new_server,
            self.old_server_new_client or other.old_server_new_client,
        )

    @property
    def any(self) -> bool:
        return self.old_client_new_server or self.old_server_new_client


NOBODY = Breaks()
EVERYONE = Breaks(True, True)


@attrs.frozen
class Change:
    """One classified difference between revision A (before) and B (after)."""

    kind: Kind
    area: Area
    subject: str
    """Dotted path of what changed: ``tools/call``, ``CallToolResult.structuredContent``,
    ``client.elicitation.url`` (capabilities), ``LATEST_PROTOCOL_VERSION``."""
    before: str | None
    after: str | None
    severity: Severity
    breaks: Breaks
    reason: str

    @property
    def sort_key(self) -> tuple[int, int, str, str, str, str, str]:
        """Severity, then area in declaration order, then subject: the reports' order."""
        return (
            SEVERITY_ORDER[self.severity],
            list(Area).index(self.area),
            self.subject,
            self.kind.value,
            self.before or "",
            self.after or "",
            self.reason,
        )


@attrs.frozen
class Side:
    """One end of the comparison: a revision name, or the file or folder it was read from
    (for a server: the snapshot, URL or command line, and the revision it was listed at)."""

    label: str
    revision: str
    source: str


@attrs.frozen
class DiffReport:
    before: Side
    after: Side
    changes: tuple[Change, ...]
    compared: str = "protocol"
    """What the sides are: ``protocol`` revisions, or releases of one ``server``."""

    def count(self, severity: Severity) -> int:
        return sum(c.severity is severity for c in self.changes)

    def by_severity(self) -> list[tuple[Severity, list[Change]]]:
        return [(s, [c for c in self.changes if c.severity is s]) for s in Severity]
