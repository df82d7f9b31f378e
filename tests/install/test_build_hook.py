"""The build hook (setup.py) regenerates stale bindings, and only those, from stamps alone.

Each test builds a copy of the checkout's build inputs in a temporary folder with
``setup.py build_py``, as the wheel build does, without packing a whole wheel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from mcp_foundry import paths
from mcp_foundry.emit import package_name
from mcp_foundry.emit.stamp import STAMP, fingerprint, generator_digest, stale
from mcp_foundry.ir.source import known_revisions
from mcp_foundry.sources import store

pytestmark = pytest.mark.timeout(600)

CHECKOUT = paths.CHECKOUT
assert CHECKOUT is not None
INPUTS = ("codegen", "generated", "templates", "schema", "pyproject.toml", "setup.py")


def test_the_checkout_bindings_carry_current_stamps() -> None:
    assert stale() == []


def test_a_generator_or_manifest_change_makes_bindings_stale(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(paths.TEMPLATES, templates)
    assert generator_digest(paths.PACKAGE, templates) == generator_digest()
    (templates / "bindings" / "models.py.j2").write_text("changed\n")
    assert generator_digest(paths.PACKAGE, templates) != generator_digest()
    first, second = known_revisions()[:2]
    assert fingerprint(first) != fingerprint(second)
    assert fingerprint(first, generator_digest(paths.PACKAGE, templates)) != fingerprint(first)


def _copy_inputs(root: Path) -> Path:
    source = root / "source"
    for name in INPUTS:
        origin = CHECKOUT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(origin, source / name)
    return source


def _build_py(source: Path, cache: Path) -> str:
    env = {**os.environ, "MCP_FOUNDRY_SCHEMA_CACHE": str(cache), "PYTHONPATH": ""}
    done = subprocess.run(
        [sys.executable, "setup.py", "-q", "build_py", "--build-lib", str(source.parent / "lib")],
        cwd=source,
        env=env,
        capture_output=True,
        text=True,
        timeout=540,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout + done.stderr


def _snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.read_bytes())
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_current_bindings_build_with_no_schema_cache_like_an_sdist(tmp_path: Path) -> None:
    source = _copy_inputs(tmp_path)
    before = _snapshot(source / "generated")
    output = _build_py(source, cache=tmp_path / "empty-cache")
    assert "rendering" not in output
    assert _snapshot(source / "generated") == before
    assert not (tmp_path / "empty-cache").exists()


def test_a_stale_revision_is_regenerated_and_the_others_left_alone(tmp_path: Path) -> None:
    source = _copy_inputs(tmp_path)
    revision = known_revisions()[0]
    package = source / "generated" / package_name(revision)
    models = (package / "models.py").read_text()
    (package / "models.py").write_text(models + "STALE = True\n")
    (package / STAMP).write_text("made by an older generator\n")
    others = {
        name: _snapshot(folder)
        for name, folder in ((p.name, p) for p in (source / "generated").glob("rev_*"))
        if folder != package
    }
    output = _build_py(source, cache=store.cache_root())
    assert f"rendering 1 revision(s): {revision}" in output
    assert (package / "models.py").read_text() == models
    assert (package / STAMP).read_text() == fingerprint(revision)
    built = tmp_path / "lib" / "mcp_foundry" / "generated" / package.name
    assert (built / "models.py").read_text() == models
    for name, files in others.items():
        assert _snapshot(source / "generated" / name) == files
