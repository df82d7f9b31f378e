"""Projects land whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp_foundry.scaffold import ScaffoldError
from mcp_foundry.scaffold.destination import write_tree

FILES = {"pyproject.toml": "[project]\n", "src/pkg/__init__.py": "", "tests/test_x.py": "x = 1\n"}


def _listing(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in root.rglob("*") if p.is_file()}


def test_writes_a_new_directory_creating_parents(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "proj"
    write_tree(FILES, target)
    assert _listing(target) == FILES
    assert sorted(p.name for p in (tmp_path / "a" / "b").iterdir()) == ["proj"]


def test_fills_an_existing_empty_directory(tmp_path: Path) -> None:
    target = tmp_path / "proj"
    target.mkdir()
    write_tree(FILES, target)
    assert _listing(target) == FILES


def test_refuses_a_non_empty_directory_and_keeps_its_content(tmp_path: Path) -> None:
    target = tmp_path / "proj"
    target.mkdir()
    (target / "mine.txt").write_text("keep me")
    with pytest.raises(ScaffoldError, match="not empty"):
        write_tree(FILES, target)
    assert _listing(target) == {"mine.txt": "keep me"}
    assert [p.name for p in tmp_path.iterdir()] == ["proj"]


def test_refuses_a_file_or_a_file_parent(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(ScaffoldError, match="not a directory"):
        write_tree(FILES, tmp_path / "file")
    with pytest.raises(ScaffoldError, match="is not a directory"):
        write_tree(FILES, tmp_path / "file" / "proj")
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


def test_a_failure_halfway_leaves_nothing_behind(tmp_path: Path) -> None:
    # "a" is written as a file, then "a/b" needs it to be a directory: a real OSError
    with pytest.raises(ScaffoldError, match="could not write"):
        write_tree({"a": "file", "a/b": "nested"}, tmp_path / "proj")
    assert list(tmp_path.iterdir()) == []
