"""Running the real command, importing what it wrote, and checking it the way a user's
CI would: mypy --strict against the installed toolkit, ruff with default settings."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from mcp_foundry import paths

MCP_FOUNDRY = str(Path(sys.executable).parent / "mcp-foundry")
REPO = paths.CHECKOUT
assert REPO is not None, "these tests run from a checkout"


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [MCP_FOUNDRY, *args],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=REPO,
        env={**os.environ, **(env or {})},
    )


def bind(out: Path, *server: str, env: dict[str, str] | None = None) -> Path:
    """``mcp-foundry server bindings --out OUT -- SERVER...``; returns OUT."""
    done = run_cli("server", "bindings", "--out", str(out), "--", *server, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    return out


def import_bindings(package: Path) -> ModuleType:
    """Import a generated package by its folder (package names are unique per session)."""
    parent = str(package.parent)
    if parent not in sys.path:
        sys.path.insert(0, parent)
    importlib.invalidate_caches()
    return importlib.import_module(package.name)


def mypy_strict(site: Path, package: Path) -> subprocess.CompletedProcess[str]:
    """mypy --strict over the generated package, the toolkit resolved from ``site`` (an
    installed copy: mypy cannot follow the editable install's import hook). Imports are
    followed silently: only the generated code's own errors count here."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--follow-imports=silent",
            "--config-file",
            str(REPO / "pyproject.toml"),
            "--cache-dir",
            str(site.parent / ".mypy_cache"),
            "-p",
            package.name,
        ],
        cwd=package.parent,
        env={**os.environ, "MYPYPATH": str(site)},
        capture_output=True,
        text=True,
        timeout=600,
    )


def ruff(package: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Ruff with its defaults plus import order, in the package's parent (no config)."""
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, "--isolated", "--no-cache", package.name],
        cwd=package.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_clean(site: Path, package: Path) -> None:
    lint = ruff(package, "check", "--select", "E4,E7,E9,F,I,UP,B")
    assert lint.returncode == 0, lint.stdout[-3000:]
    formatted = ruff(package, "format", "--check")
    assert formatted.returncode == 0, formatted.stdout[-3000:]
    typed = mypy_strict(site, package)
    assert typed.returncode == 0, typed.stdout[-4000:]
