"""Every CLI error is one line on stderr without a traceback, with one exit status per class:
2 for a usage error (unknown revision, option or value), 1 for a failure doing the work."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from mcp_foundry.ir.source import known_revisions

CLI = Path(sys.executable).parent / "mcp-foundry"


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CLI), *args], capture_output=True, text=True, timeout=300, cwd=cwd)


def _one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: "), done.stderr
    assert "Traceback" not in done.stderr and "Usage:" not in done.stderr
    return lines[0]


@pytest.mark.parametrize(
    "argv",
    [
        ("schema", "fetch", "1999-01-01"),
        ("generate", "1999-01-01"),
        ("check", "1999-01-01"),
        ("diff", "1999-01-01", known_revisions()[-1]),
    ],
)
def test_an_unknown_revision_is_the_same_usage_error_everywhere(argv: tuple[str, ...]) -> None:
    done = _run(*argv)
    assert done.returncode == 2, done.stderr
    assert "1999-01-01" in _one_line_error(done)


def test_an_unknown_option_or_command_is_a_usage_error() -> None:
    for argv in (("bogus",), ("diff", "--format", "pdf", "a", "b"), ("generate", "--nope")):
        done = _run(*argv)
        assert done.returncode == 2, (argv, done.stderr)
        _one_line_error(done)


def test_diff_into_a_missing_folder_fails_in_one_line(tmp_path: Path) -> None:
    first, last = known_revisions()[0], known_revisions()[-1]
    done = _run("diff", first, last, "-o", str(tmp_path / "missing" / "report.json"))
    assert done.returncode == 1
    assert "No such file or directory" in _one_line_error(done)


def test_diff_of_a_schema_ts_that_does_not_parse_names_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "schema.ts").write_text("export interface Broken {\n  a: string;\n  b: {\n")
    (broken / "schema.json").write_text('{"definitions": {}}')
    done = _run("diff", known_revisions()[0], str(broken))
    assert done.returncode == 1
    _one_line_error(done)


def test_version_and_help_succeed() -> None:
    version = _run("--version")
    assert version.returncode == 0 and "mcp-foundry" in version.stdout
    assert _run("--help").returncode == 0
