"""The projection's shortcut (``project.faithful``): where it applies, a result converted
for an older client is exactly what the full walk makes of it; where it does not, the
walk runs. Real results of the handler revision, every legacy revision as the target."""

from __future__ import annotations

from typing import Any

import pytest
from mcp_foundry.runtime import project, revisions

HANDLER = revisions.bindings(revisions.available()[-1])
LEGACY = [v for v in revisions.available() if not revisions.is_modern(v)]
RESULTS: list[tuple[str, dict[str, Any]]] = [
    ("CallToolResult", {"content": [{"type": "text", "text": "hi"}]}),
    (
        "CallToolResult",
        {
            "content": [
                {"type": "text", "text": "hi", "annotations": {"audience": ["user"]}},
                {"type": "image", "data": "aGk=", "mimeType": "image/png"},
            ],
            "isError": True,
            "_meta": {"x": 1},
        },
    ),
    ("CallToolResult", {"content": [{"type": "resource_link", "uri": "file:///a", "name": "a"}]}),
    ("CallToolResult", {"content": [], "structuredContent": {"a": 1}, "extra": 5}),
    ("CallToolResult", {"content": [{"type": "audio", "data": "aGk=", "mimeType": "audio/wav"}]}),
    (
        "CallToolResult",
        {"content": [{"type": "resource", "resource": {"uri": "a:b", "text": "t", "_meta": {}}}]},
    ),
    (
        "ListToolsResult",
        {
            "tools": [
                {
                    "name": "echo",
                    "title": "Echo",
                    "icons": [{"src": "https://example.com/i.png"}],
                    "inputSchema": {
                        "type": "object",
                        "$schema": "https://json-schema.org/draft/2020-12/schema",
                        "properties": {"text": {"type": "string"}},
                        "required": ["text"],
                    },
                }
            ],
            "ttlMs": 0,
            "cacheScope": "private",
        },
    ),
    (
        "GetPromptResult",
        {"messages": [{"role": "user", "content": {"type": "text", "text": "hi"}}]},
    ),
    (
        "ReadResourceResult",
        {"contents": [{"uri": "a:b", "text": "x"}], "ttlMs": 1, "cacheScope": "public"},
    ),
    ("CompleteResult", {"completion": {"values": ["a"], "total": 1, "hasMore": False}}),
]


@pytest.mark.parametrize("revision", LEGACY)
@pytest.mark.parametrize(("name", "body"), RESULTS)
def test_shortcut_equals_the_walk(name: str, body: dict[str, Any], revision: str) -> None:
    source = getattr(HANDLER.models, name)
    target = getattr(revisions.bindings(revision).models, name)
    value = source.model_validate({**body, "resultType": "complete"})
    walked = project.Projection(revision).value(value, target)
    assert project.convert(value, target, revision, name) == walked


def test_shortcut_is_taken_for_a_same_shape_answer() -> None:
    """The 2025-11-25 tool result and tool listing differ from the handler's by the
    envelope only, which the shortcut drops; a 2024-11-05 one may lose content."""
    latest_legacy = revisions.bindings(LEGACY[-1]).models
    oldest = revisions.bindings(LEGACY[0]).models
    for name in ("CallToolResult", "ListToolsResult"):
        envelope = project.faithful(getattr(HANDLER.models, name), getattr(latest_legacy, name))
        assert envelope is not None and "resultType" in envelope
    assert project.faithful(HANDLER.models.CallToolResult, oldest.CallToolResult) is None
