"""Known facts of each consecutive pair of revisions, as the upstream changelogs state them
(``../shared/mcp-spec/docs/<rev>/changelog.mdx``), found by the diff on the real IR."""

from __future__ import annotations

import pytest
from mcp_foundry.diff.model import Area, Breaks, Kind, Severity

from .helpers import absent, find, real_diff

pytestmark = pytest.mark.timeout(120)
OLD_CLIENT = Breaks(old_client_new_server=True)
OLD_SERVER = Breaks(old_server_new_client=True)


def test_2024_11_05_to_2025_03_26() -> None:
    report = real_diff("2024-11-05", "2025-03-26")
    # "Added `message` field to `ProgressNotification`"
    assert (
        find(report, Kind.FIELD_ADDED, "ProgressNotificationParams.message").severity
        is Severity.COMPATIBLE
    )
    # "Added support for audio data": a new content type old clients cannot parse
    audio = find(report, Kind.UNION_MEMBER_ADDED, "CallToolResult.content[]")
    assert "AudioContent" in audio.reason and audio.breaks == OLD_CLIENT
    assert find(report, Kind.TYPE_ADDED, "AudioContent")
    # "Added `completions` capability"
    assert find(report, Kind.CAPABILITY_ADDED, "server.completions").area is Area.CAPABILITY
    # "Added comprehensive tool annotations"
    assert find(report, Kind.FIELD_ADDED, "Tool.annotations").after == "ToolAnnotations"
    # "Added support for JSON-RPC batching"
    assert find(report, Kind.BATCHING_CHANGED, "batching").after == "JSON-RPC batches"
    latest = find(report, Kind.CONSTANT_CHANGED, "LATEST_PROTOCOL_VERSION")
    assert (latest.before, latest.after) == ("'2024-11-05'", "'2025-03-26'")
    # no noise: the inline `annotations` objects became the named `Annotations` type
    assert not [
        c
        for c in report.changes
        if c.subject.endswith(".annotations") and c.kind is Kind.FIELD_TYPE_CHANGED
    ]
    absent(report, Kind.TYPE_ADDED, "Annotations")


def test_2025_03_26_to_2025_06_18() -> None:
    report = real_diff("2025-03-26", "2025-06-18")
    # "Remove support for JSON-RPC batching"
    batching = find(report, Kind.BATCHING_CHANGED, "batching")
    assert batching.severity is Severity.BREAKING and batching.breaks == Breaks(True, True)
    assert find(report, Kind.TYPE_REMOVED, "JSONRPCBatchRequest")
    # "Add support for structured tool output"
    assert (
        find(report, Kind.FIELD_ADDED, "CallToolResult.structuredContent").severity
        is Severity.COMPATIBLE
    )
    assert find(report, Kind.FIELD_ADDED, "Tool.outputSchema")
    # "Add support for elicitation"
    elicit = find(report, Kind.METHOD_ADDED, "elicitation/create")
    assert elicit.after == "request server → client" and "client.elicitation" in elicit.reason
    assert find(report, Kind.CAPABILITY_ADDED, "client.elicitation")
    # "Add support for resource links in tool call results"
    link = find(report, Kind.UNION_MEMBER_ADDED, "CallToolResult.content[]")
    assert "ResourceLink" in link.reason and link.breaks == OLD_CLIENT
    # "Add `_meta` field to additional interface types", "Add `context` to CompletionRequest",
    # "Add `title`"
    for subject in (
        "Tool._meta",
        "CompleteRequestParams.context",
        "Tool.title",
        "Prompt.title",
        "Resource.title",
    ):
        assert find(report, Kind.FIELD_ADDED, subject).severity is Severity.COMPATIBLE
    # no noise: ResourceReference is the same shape renamed
    renamed = find(report, Kind.TYPE_RENAMED, "ResourceTemplateReference")
    assert renamed.before == "ResourceReference" and "same shape" in renamed.reason
    absent(report, Kind.TYPE_REMOVED, "ResourceReference")
    absent(report, Kind.TYPE_ADDED, "ResourceTemplateReference")


def test_2025_06_18_to_2025_11_25() -> None:
    report = real_diff("2025-06-18", "2025-11-25")
    # SEP-973 icons
    for subject in (
        "Tool.icons",
        "Prompt.icons",
        "Resource.icons",
        "ResourceTemplate.icons",
    ):
        assert find(report, Kind.FIELD_ADDED, subject).severity is Severity.COMPATIBLE
    # SEP-1036 URL mode elicitation: the params became one of two shapes, with a capability flag
    elicit = find(report, Kind.TYPE_CHANGED, "ElicitRequestParams")
    assert "2 shapes" in elicit.reason and elicit.breaks == OLD_CLIENT
    # ... and the old shape is the form mode: its new fields, not a new type
    assert "continues as ElicitRequestFormParams" in elicit.reason
    assert (
        find(report, Kind.FIELD_ADDED, "ElicitRequestFormParams.mode").severity
        is Severity.COMPATIBLE
    )
    absent(report, Kind.TYPE_ADDED, "ElicitRequestFormParams")
    assert find(report, Kind.CAPABILITY_ADDED, "client.elicitation.url")
    assert find(report, Kind.ERROR_CODE_ADDED, "URL_ELICITATION_REQUIRED").after == "-32042"
    # SEP-1577 tool calling in sampling
    assert find(report, Kind.FIELD_ADDED, "CreateMessageRequestParams.tools")
    assert find(report, Kind.FIELD_ADDED, "CreateMessageRequestParams.toolChoice")
    # SEP-1686 tasks
    for name in ("tasks/get", "tasks/result", "tasks/list", "tasks/cancel"):
        assert find(report, Kind.METHOD_ADDED, name).severity is Severity.COMPATIBLE
    tasks = find(report, Kind.METHOD_ALT_RESULT_ADDED, "tools/call")
    assert tasks.after == "CreateTaskResult" and tasks.breaks == OLD_CLIENT
    # minor: Implementation.description; SEP-1034 defaults; SEP-1330 enum schemas
    assert find(report, Kind.FIELD_ADDED, "Implementation.description")
    assert find(report, Kind.FIELD_ADDED, "StringSchema.default")
    enum_schema = find(report, Kind.TYPE_CHANGED, "EnumSchema").reason
    assert "5 shapes" in enum_schema and "continues as LegacyTitledEnumSchema" in enum_schema
    # neither the split nor the response union is a rename; the error response is
    renames = [(c.before, c.after) for c in report.changes if c.kind is Kind.TYPE_RENAMED]
    assert renames == [("JSONRPCError", "JSONRPCErrorResponse")]
    # the capability objects gained described flags: reported as flags, not as closed objects
    assert find(report, Kind.CAPABILITY_ADDED, "client.sampling.tools")
    absent(report, Kind.OBJECT_CLOSED, "client.elicitation")
    # no noise: SEP-1319 spelled out the JSON-RPC envelope of every message (jsonrpc, id)
    envelope = [
        c
        for c in report.changes
        if c.subject.endswith((".jsonrpc", ".id")) and c.kind is Kind.FIELD_ADDED
    ]
    assert envelope == []
    # ... while a real envelope change stays: error responses may now omit the id
    assert (
        find(report, Kind.FIELD_NOW_OPTIONAL, "JSONRPCErrorResponse.id").severity
        is Severity.BREAKING
    )
    # no noise: hoisted `params` objects became the named PaginatedRequestParams etc.
    absent(report, Kind.METHOD_PARAMS_CHANGED)


def test_2025_11_25_to_2026_07_28() -> None:
    report = real_diff("2025-11-25", "2026-07-28")
    era = find(report, Kind.ERA_CHANGED, "era")
    assert era.severity is Severity.BREAKING and era.after and era.after.startswith("modern")
    # stateless: the handshake, ping, setLevel, roots list_changed and subscribe are gone
    initialize = find(report, Kind.METHOD_REMOVED, "initialize")
    assert initialize.breaks == OLD_CLIENT and "-32601" in initialize.reason
    assert find(report, Kind.METHOD_REMOVED, "ping").breaks == Breaks(True, True)
    for name in (
        "logging/setLevel",
        "resources/subscribe",
        "resources/unsubscribe",
        "tasks/list",
    ):
        assert find(report, Kind.METHOD_REMOVED, name).severity is Severity.BREAKING
    for name in (
        "notifications/initialized",
        "notifications/roots/list_changed",
        "notifications/elicitation/complete",
    ):
        assert find(report, Kind.METHOD_REMOVED, name).severity is Severity.WARNING
    # clients no longer send progress notifications (they belong to server-side work)
    progress = find(report, Kind.METHOD_DIRECTION_CHANGED, "notifications/progress")
    assert progress.breaks == OLD_CLIENT and "old clients still send it" in progress.reason
    assert find(report, Kind.METHOD_ADDED, "server/discover").after == "request client → server"
    assert find(report, Kind.METHOD_ADDED, "subscriptions/listen")
    # MRTR: server-initiated requests now travel inside InputRequiredResult
    for name in ("sampling/createMessage", "elicitation/create", "roots/list"):
        moved = find(report, Kind.METHOD_CHANNEL_CHANGED, name)
        assert moved.breaks == Breaks(True, True) and "InputRequiredResult" in (moved.after or "")
    assert find(report, Kind.METHOD_ALT_RESULT_ADDED, "tools/call").after == "InputRequiredResult"
    # every result carries a required resultType: new clients expect it from old servers
    result_type = find(report, Kind.FIELD_ADDED, "Result.resultType")
    assert result_type.severity is Severity.BREAKING and result_type.breaks.old_server_new_client
    assert not [
        c
        for c in report.changes
        if c.subject.endswith(".resultType") and c.subject != "Result.resultType"
    ]
    # SEP-2549 cacheable list results
    ttl = find(report, Kind.FIELD_ADDED, "ListToolsResult.ttlMs")
    assert ttl.breaks == OLD_SERVER
    assert (
        find(report, Kind.FIELD_ADDED, "ListToolsResult.cacheScope").after == '"private" | "public"'
    )
    # per-request _meta carries version and capabilities
    assert (
        find(
            report,
            Kind.FIELD_ADDED,
            "RequestMetaObject.io.modelcontextprotocol/protocolVersion",
        ).breaks
        == OLD_CLIENT
    )
    # minor 1, 10, 11, 12
    assert find(report, Kind.CAPABILITY_ADDED, "client.extensions")
    assert find(report, Kind.CAPABILITY_ADDED, "server.extensions")
    assert (
        find(report, Kind.FIELD_TYPE_CHANGED, "CallToolResult.structuredContent").after == "unknown"
    )
    assert (
        find(report, Kind.FIELD_REMOVED, "ElicitRequestURLParams.elicitationId").breaks
        == OLD_CLIENT
    )
    codes = {c.subject: c.after for c in report.changes if c.kind is Kind.ERROR_CODE_ADDED}
    assert codes == {
        "HEADER_MISMATCH": "-32020",
        "MISSING_REQUIRED_CLIENT_CAPABILITY": "-32021",
        "UNSUPPORTED_PROTOCOL_VERSION": "-32022",
    }
    # Deprecated: roots, sampling, logging (SEP-2577); includeContext values (SEP-2596)
    for subject in (
        "sampling/createMessage",
        "roots/list",
        "notifications/message",
        "client.sampling",
        "server.logging",
    ):
        assert "2026-07-28" in (find(report, Kind.DEPRECATED, subject).after or "")
    assert "thisServer" in (
        find(report, Kind.DEPRECATED, "CreateMessageRequestParams.includeContext").after or ""
    )
    # no noise: the open `_meta` and JSON-object bags became named JSONObject/MetaObject types
    assert not [
        c
        for c in report.changes
        if c.subject.endswith("._meta")
        and c.kind is Kind.FIELD_TYPE_CHANGED
        and c.severity is not Severity.COMPATIBLE
    ]
    assert not [
        c
        for c in report.changes
        if c.subject.startswith(("client.", "server.")) and c.severity is Severity.BREAKING
    ]


def test_2026_07_28_to_draft_has_no_protocol_changes() -> None:
    # draft differs from 2026-07-28 only in documentation links
    assert real_diff("2026-07-28", "draft").changes == ()


def test_every_pair_reads_oldest_to_newest_and_back() -> None:
    """Reversing a diff swaps additions and removals."""
    forward = real_diff("2025-03-26", "2025-06-18")
    backward = real_diff("2025-06-18", "2025-03-26")
    assert find(forward, Kind.METHOD_ADDED, "elicitation/create")
    assert find(backward, Kind.METHOD_REMOVED, "elicitation/create").breaks == OLD_SERVER
    assert find(backward, Kind.BATCHING_CHANGED, "batching").after == "JSON-RPC batches"
