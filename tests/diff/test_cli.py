"""``mcp-foundry diff`` as a user runs it: a real process, exit codes, files, draft folders."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from mcp_foundry import paths
from mcp_foundry.diff.inputs import load_side
from mcp_foundry.ir import load_revision

pytestmark = pytest.mark.timeout(120)
SHARED = paths.SHARED_SPEC / "schema"
EXE = str(Path(sys.executable).parent / "mcp-foundry")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([EXE, "diff", *args], capture_output=True, text=True, timeout=120)


def test_fail_on_breaking_gates_an_upgrade(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    proc = run(
        "2025-11-25",
        "2026-07-28",
        "--format",
        "json",
        "--fail-on",
        "breaking",
        "--output",
        str(out),
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == ""
    doc = json.loads(out.read_text())
    assert doc["summary"]["breaking"] > 0
    assert f"{doc['summary']['breaking']} breaking" in proc.stderr and str(out) in proc.stderr


def test_no_changes_passes_even_with_fail_on_any() -> None:
    proc = run("2026-07-28", "draft", "--fail-on", "any", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["summary"]["total"] == 0


def test_fail_on_any_counts_compatible_changes() -> None:
    compatible_only = run("2025-03-26", "2025-06-18", "--fail-on", "any", "--format", "markdown")
    assert compatible_only.returncode == 1
    assert compatible_only.stdout.startswith("# MCP protocol changes")


def test_bad_operands_are_usage_errors() -> None:
    unknown = run("2023-01-01", "draft")
    assert unknown.returncode == 2 and "'2023-01-01' is neither a known revision" in unknown.stderr
    bad_format = run("draft", "draft", "--format", "pdf")
    assert bad_format.returncode == 2


def test_a_folder_with_only_one_schema_file_is_refused(tmp_path: Path) -> None:
    shutil.copyfile(SHARED / "draft" / "schema.ts", tmp_path / "schema.ts")
    proc = run("draft", str(tmp_path / "schema.ts"))
    assert proc.returncode == 2 and "missing" in proc.stderr and "schema.json" in proc.stderr


def test_a_schema_path_builds_the_same_ir_as_the_revision() -> None:
    ir, side = load_side(str(SHARED / "2025-06-18" / "schema.json"))
    assert side.revision == "2025-06-18"
    assert ir == load_revision("2025-06-18")


def test_reviewing_an_edited_draft_folder(tmp_path: Path) -> None:
    draft = tmp_path / "proposal"
    draft.mkdir()
    ts = (SHARED / "draft" / "schema.ts").read_text()
    anchor = ts.index("{", ts.index("export interface Tool extends"))
    (draft / "schema.ts").write_text(
        ts[: anchor + 1] + "\n  /** Proposed. */\n  reviewHint: string;\n" + ts[anchor + 1 :]
    )
    schema = json.loads((SHARED / "draft" / "schema.json").read_text())
    defs = schema.get("$defs") or schema["definitions"]
    defs["Tool"]["properties"]["reviewHint"] = {
        "type": "string",
        "description": "Proposed.",
    }
    defs["Tool"]["required"].append("reviewHint")
    (draft / "schema.json").write_text(json.dumps(schema))
    proc = run("draft", str(draft), "--format", "json", "--fail-on", "breaking")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    # not a revision folder: built as the revision its LATEST_PROTOCOL_VERSION names
    assert doc["after"]["label"] == str(draft) and doc["after"]["revision"] == "2026-07-28"
    assert [(c["kind"], c["subject"], c["breaks"]) for c in doc["changes"]] == [
        (
            "field_added",
            "Tool.reviewHint",
            {"old_client_new_server": False, "old_server_new_client": True},
        )
    ]
