"""The generate/check commands end to end, in real subprocesses, plus the IR's guards."""

from __future__ import annotations

import copy
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from mcp_foundry import generated
from mcp_foundry.ir import load_revision
from mcp_foundry.ir.loader import revision_sources
from mcp_foundry.ir.overrides import UpstreamChanged, apply_overrides
from mcp_foundry.paths import CHECKOUT as ROOT

CLI = [sys.executable, "-m", "mcp_foundry.cli"]
if (Path(sys.executable).parent / "mcp-foundry").exists():
    CLI = [str(Path(sys.executable).parent / "mcp-foundry")]


def _run(*args: str, seed: str = "0") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    return subprocess.run(
        [*CLI, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    done = _run("generate", "--out", str(out), seed="1")
    assert done.returncode == 0, done.stderr
    return out


@pytest.mark.timeout(300)
def test_generate_writes_every_revision_and_reports(fresh: Path) -> None:
    assert sorted(p.name for p in fresh.iterdir()) == [
        "rev_2024_11_05",
        "rev_2025_03_26",
        "rev_2025_06_18",
        "rev_2025_11_25",
        "rev_2026_07_28",
        "rev_draft",
    ]
    for package in fresh.iterdir():
        names = {p.name for p in package.iterdir()}
        private = {n for n in names if n.startswith("_") and n != "__init__.py"}
        assert names - private == {
            "__init__.py",
            "handlers.py",
            "methods.py",
            "models.py",
            "py.typed",
            "stamp.txt",
        }
        # the models' private modules: the bases and one per component
        assert "_prelude.py" in private
        assert all(n.endswith(".py") for n in private)
        assert len(private) > 100


@pytest.mark.timeout(300)
def test_generation_is_byte_deterministic(fresh: Path, tmp_path: Path) -> None:
    again = _run("generate", "--out", str(tmp_path), seed="12345")
    assert again.returncode == 0, again.stderr
    assert _tree(tmp_path) == _tree(fresh)
    # and the committed build output matches too (same bytes from the same sources)
    repo = Path(generated.__file__).parent
    for name in _tree(fresh):
        assert (repo / name).read_bytes() == (fresh / name).read_bytes(), name


@pytest.mark.timeout(300)
def test_check_detects_drift(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    assert _run("generate", "--out", str(out), "2025-03-26").returncode == 0
    clean = _run("generate", "--check", "--out", str(out), "2025-03-26")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.stdout == ""
    models = out / "rev_2025_03_26" / "_text_content.py"
    models.write_text(models.read_text().replace("class TextContent(", "class TextContnet("))
    drift = _run("generate", "--check", "--out", str(out), "2025-03-26")
    assert drift.returncode == 1
    assert "-class TextContnet(MCPModel):" in drift.stdout
    assert "+class TextContent(MCPModel):" in drift.stdout
    assert "out of date: 2025-03-26" in drift.stderr
    assert "TextContnet" in models.read_text(), "--check must not write"


def test_unknown_revision_is_a_clear_error() -> None:
    done = _run("generate", "1999-01-01")
    assert done.returncode == 2
    assert "unknown revision(s) 1999-01-01" in done.stderr


def test_check_command_passes_for_every_revision() -> None:
    done = _run("check")
    assert done.returncode == 0, done.stdout
    assert done.stdout.count(": ok (") == 6


GENERIC = {"Model", "Data", "Params", "Item", "Object", "Value", "Type", "Meta"}


def test_no_numbered_or_generic_class_names(revision: str, models_source: str) -> None:
    """Upstream names are kept as they are; names the generator invents for inline objects
    must be neither numbered nor generic, and start from their parent's name."""
    assert re.search(r"^class CallToolResult\(", models_source, flags=re.M)
    for name in re.findall(r"^class (\w+)", models_source, flags=re.M):
        assert not re.search(r"\d$", name), name
    for definition in load_revision(revision).definitions.values():
        assert not re.search(r"\d$", definition.name)
        if definition.parent is not None:
            assert definition.name not in GENERIC
            owner = definition.parent.split(".")[0]
            assert definition.name.startswith(owner) or definition.name == "TitledEnumOption"


def test_inline_names_are_stable_across_revisions() -> None:
    everywhere = set.intersection(
        *(set(load_revision(r).definitions) for r in generated.available())
    )
    for name in (
        "CallToolRequestParams",
        "CompleteResultCompletion",
        "ServerCapabilitiesTools",
        "ServerCapabilitiesPrompts",
    ):
        assert name in everywhere


def test_override_fails_loudly_when_upstream_changes() -> None:
    defs = copy.deepcopy(revision_sources("2025-11-25").definitions)
    defs["RequestId"]["type"] = ["string", "boolean"]  # neither the defect nor its fix
    with pytest.raises(UpstreamChanged, match="number-rendered-as-integer.*RequestId"):
        apply_overrides("2025-11-25", defs)
    defs = copy.deepcopy(revision_sources("2025-11-25").definitions)
    del defs["Resource"]
    with pytest.raises(UpstreamChanged):
        apply_overrides("2025-11-25", defs)


def test_an_override_upstream_fixed_is_named_in_one_line_and_skipped() -> None:
    defs = copy.deepcopy(revision_sources("2025-11-25").definitions)
    defs["RequestId"]["type"] = ["string", "number"]  # as if upstream fixed it
    patched = apply_overrides("2025-11-25", defs)
    assert patched.fixed_upstream == [
        "override 'number-rendered-as-integer' at RequestId: upstream fixed it in 2025-11-25; "
        "close its range […, …) there (until='2025-11-25')"
    ]
    assert "RequestId" not in {o.target for o in patched.applied if o.name.startswith("number")}
    assert patched.definitions["RequestId"]["type"] == ["string", "number"]


def test_overrides_reach_the_models() -> None:
    models = generated.load("2025-11-25").models
    assert models.Resource.model_validate({"name": "a", "uri": "x:/", "size": 1.5}).size == 1.5
    modern = generated.load("2026-07-28").models
    result = modern.CallToolResult.model_validate(
        {"content": [], "resultType": "complete", "com.example/extra": {"k": None}}
    )
    assert result.model_dump(by_alias=True, exclude_unset=True)["com.example/extra"] == {"k": None}
    assert modern.CallToolResult.model_fields["result_type"].annotation is not None


def test_closed_models_project_newer_documents() -> None:
    old = generated.load("2025-06-18").models
    newer = {"name": "t", "inputSchema": {"type": "object", "$defs": {}}, "execution": {"x": 1}}
    tool = old.Tool.model_validate(newer)
    assert tool.model_dump(by_alias=True, exclude_unset=True) == {
        "name": "t",
        "inputSchema": {"type": "object", "$defs": {}},
    }


def test_missing_schema_cache_is_a_clean_error(tmp_path: Path) -> None:
    env = {**os.environ, "MCP_FOUNDRY_SCHEMA_CACHE": str(tmp_path / "empty")}
    for command in (
        ["generate", "--out", str(tmp_path / "out"), "2025-11-25"],
        ["check", "2025-11-25"],
    ):
        done = subprocess.run(
            [*CLI, *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 1
        assert "Traceback" not in done.stderr
        assert "mcp-foundry schema fetch 2025-11-25" in done.stderr
    assert not (tmp_path / "out" / "rev_2025_11_25").exists()


def test_check_reports_an_unexplained_disagreement(tmp_path: Path) -> None:
    """A schema.json that drifts from schema.ts (here: Tool.name typed integer, and a
    definition schema.ts does not declare) makes `check` fail and name both."""
    import json
    import shutil

    from mcp_foundry.ir.source import schema_dir

    cache = tmp_path / "cache"
    shutil.copytree(schema_dir("2025-11-25"), cache / "2025-11-25")
    path = cache / "2025-11-25" / "schema.json"
    schema = json.loads(path.read_text())
    schema["$defs"]["Tool"]["properties"]["name"] = {"type": "integer"}
    schema["$defs"]["Stray"] = {"type": "string"}
    path.write_text(json.dumps(schema))
    done = subprocess.run(
        [*CLI, "check", "2025-11-25"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "MCP_FOUNDRY_SCHEMA_CACHE": str(cache)},
    )
    assert done.returncode == 1
    assert "2 unexplained disagreement(s)" in done.stdout
    assert "Tool.name: string in schema.ts" in done.stdout
    assert "Stray: in schema.json, not declared in schema.ts" in done.stdout
