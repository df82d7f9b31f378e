"""Quality gates on our own code: ruff (lint and format) over the repository, and
mypy --strict over the package exactly as it installs (our modules and every revision's
generated bindings), since mypy cannot follow an editable install's import hook."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from mcp_foundry import paths

ROOT = paths.CHECKOUT
assert ROOT is not None, "the quality gates run from a checkout"


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_ruff_lint_is_clean() -> None:
    done = _ruff("check", "--no-cache", ".")
    assert done.returncode == 0, done.stdout[-4000:]


def test_ruff_format_is_clean() -> None:
    done = _ruff("format", "--check", "--no-cache", ".")
    assert done.returncode == 0, done.stdout[-4000:]


@pytest.mark.timeout(900)
def test_installed_package_passes_mypy_strict(site: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(ROOT / ".mypy_cache" / "installed"),
            "-p",
            "mcp_foundry",
        ],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-4000:]
    assert "Success" in done.stdout
