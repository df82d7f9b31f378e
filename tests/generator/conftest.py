"""Shared fixtures: the six revisions and their generated bindings."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp_foundry import generated
from mcp_foundry.bindings import RevisionBindings
from mcp_foundry.ir.source import known_revisions


@pytest.fixture(params=known_revisions())
def revision(request: pytest.FixtureRequest) -> str:
    rev: str = request.param
    return rev


@pytest.fixture
def bindings(revision: str) -> RevisionBindings:
    return generated.load(revision)


@pytest.fixture
def models_source(revision: str) -> str:
    """The source of every model of ``revision``: its private modules, in name order (the
    public ``models.py`` is a facade that loads them on first use)."""
    package = Path(generated.__file__).parent / generated.package_name(revision)
    return "".join(p.read_text(encoding="utf-8") for p in sorted(package.glob("_*.py")))
