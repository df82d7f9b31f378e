"""The four renderers: JSON against its documented schema, markdown, text, HTML markup."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
from mcp_foundry import paths
from mcp_foundry.diff.compare import compare
from mcp_foundry.diff.inputs import load_side
from mcp_foundry.diff.model import Area, Kind, Severity
from mcp_foundry.diff.render import FORMATS
from mcp_foundry.diff.render.document import FORMAT, build
from mcp_foundry.sources import registry

from .helpers import real_diff

pytestmark = pytest.mark.timeout(120)
NAMES = registry.names()
PAIRS = [*zip(NAMES, NAMES[1:], strict=False), (NAMES[-1], NAMES[0])]
"""Each revision against the next, and the newest against the oldest."""
SCHEMA = json.loads(paths.DIFF_REPORT_SCHEMA.read_text())


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_json_output_validates_against_the_documented_schema(a: str, b: str) -> None:
    doc = json.loads(FORMATS["json"](real_diff(a, b)))
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(doc)
    assert doc["format"] == FORMAT and doc["$schema"] == SCHEMA["$id"]
    ids = [c["id"] for c in doc["changes"]]
    assert len(ids) == len(set(ids))
    order = [list(Severity).index(Severity(c["severity"])) for c in doc["changes"]]
    assert order == sorted(order)
    summary = doc["summary"]
    assert (
        summary["total"]
        == len(doc["changes"])
        == summary["breaking"] + summary["warning"] + summary["compatible"]
    )
    assert summary["old_client_new_server"] == sum(
        c["breaks"]["old_client_new_server"] for c in doc["changes"]
    )


def test_the_schema_documents_every_kind_and_area() -> None:
    change = SCHEMA["$defs"]["change"]["properties"]
    assert set(change["kind"]["examples"]) == {k.value for k in Kind}
    assert set(change["area"]["examples"]) == {a.value for a in Area}
    assert change["severity"]["enum"] == [s.value for s in Severity]


def test_a_wrong_document_fails_the_schema() -> None:
    doc = build(real_diff("2025-03-26", "2025-06-18"))
    doc["changes"][0]["breaks"] = {"old_client_new_server": "yes"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, SCHEMA)


def test_output_is_deterministic() -> None:
    def fresh() -> list[str]:
        (ir_a, side_a), (ir_b, side_b) = load_side("2025-06-18"), load_side("2025-11-25")
        report = compare(ir_a, ir_b, side_a, side_b)
        return [render(report) for render in FORMATS.values()]

    assert fresh() == fresh()


def test_markdown_reads_like_a_changelog() -> None:
    md = FORMATS["markdown"](real_diff("2025-11-25", "2026-07-28"))
    assert md.startswith("# MCP protocol changes: `2025-11-25` → `2026-07-28`\n")
    sections = re.findall(r"^## (.+)$", md, re.M)
    assert sections == ["Breaking changes", "Warnings", "Compatible changes"]
    assert re.search(r"^### Methods$", md, re.M)
    line = next(line for line in md.splitlines() if line.startswith("- **`initialize`**"))
    assert "removed" in line and "*Breaks: old client ↔ new server.*" in line
    # backticks inside values survive as code spans
    assert "`` legacy: `initialize` handshake" in md


def test_text_report_summarises_and_groups() -> None:
    report = real_diff("2025-03-26", "2025-06-18")
    text = FORMATS["text"](report)
    lines = text.splitlines()
    assert lines[0] == "MCP protocol diff: 2025-03-26 -> 2025-06-18"
    assert lines[1].startswith(f"{report.count(Severity.BREAKING)} breaking, ")
    assert "BREAKING CHANGES" in text and "COMPATIBLE CHANGES" in text
    assert (
        "    ResourceTemplateReference: renamed: ResourceReference -> ResourceTemplateReference"
        in lines
    )
    assert text.endswith("\n")


def test_empty_diff_renders_in_every_format() -> None:
    report = real_diff("2026-07-28", "draft")
    assert "No differences" in FORMATS["markdown"](report)
    assert "No differences" in FORMATS["html"](report)
    assert json.loads(FORMATS["json"](report))["changes"] == []


def test_html_is_self_contained_and_escaped() -> None:
    html = FORMATS["html"](real_diff("2025-06-18", "2025-11-25"))
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<link" not in html and "@import" not in html
    # values with markup characters are escaped, not interpreted
    assert "{[key: string]: unknown}" in html or "&#34;" in html
    assert "<script>" in html and html.count("<tr id=") == len(
        real_diff("2025-06-18", "2025-11-25").changes
    )
