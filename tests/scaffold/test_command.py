"""``mcp-foundry new`` as a user runs it: a real process, exit codes, nothing written on error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

MCP_CODEGEN = str(Path(sys.executable).parent / "mcp-foundry")


def run_new(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [MCP_CODEGEN, "new", *args], cwd=cwd, capture_output=True, text=True, timeout=60
    )


def test_creates_the_project_in_a_folder_named_after_it(tmp_path: Path) -> None:
    done = run_new("weather", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    project = tmp_path / "weather"
    assert (project / "src" / "weather" / "server.py").is_file()
    assert (project / "server.json").is_file() and (project / "mcp-servers.json").is_file()
    assert "created" in done.stderr


def test_same_input_gives_the_same_bytes(tmp_path: Path) -> None:
    for folder in ("one", "two"):
        assert (
            run_new("weather", "--dir", folder, "--transport", "http", cwd=tmp_path).returncode == 0
        )

    def contents(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*"))
            if p.is_file()
        }

    assert contents(tmp_path / "one") == contents(tmp_path / "two")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Bad_Name"], "invalid project name"),
        (["weather", "--revision", "2020-01-01"], "unknown revision '2020-01-01'"),
        (["weather", "--with", "tools,telepathy"], "unknown feature 'telepathy'"),
        (["weather", "--transport", "carrier-pigeon"], "unknown transport 'carrier-pigeon'"),
        (["weather", "--namespace", "nodots"], "invalid namespace"),
    ],
)
def test_bad_input_is_a_clear_error_and_writes_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    done = run_new(*args, cwd=tmp_path)
    assert done.returncode != 0
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_existing_non_empty_directory_is_refused_and_left_alone(tmp_path: Path) -> None:
    (tmp_path / "weather").mkdir()
    (tmp_path / "weather" / "notes.txt").write_text("mine")
    done = run_new("weather", cwd=tmp_path)
    assert done.returncode != 0 and "not empty" in done.stderr
    assert [p.name for p in (tmp_path / "weather").iterdir()] == ["notes.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["weather"]


def test_an_existing_empty_directory_is_used(tmp_path: Path) -> None:
    (tmp_path / "target").mkdir()
    done = run_new("weather", "--dir", "target", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "target" / "pyproject.toml").is_file()


def test_help_lists_every_feature_and_transport(tmp_path: Path) -> None:
    done = run_new("--help", cwd=tmp_path)
    assert done.returncode == 0
    for word in (
        "tools",
        "resources",
        "prompts",
        "progress",
        "elicitation",
        "stdio, http, both",
        "--revision",
    ):
        assert word in done.stdout
    assert list(tmp_path.iterdir()) == []
