"""Shared fixtures: the six revisions and their generated bindings."""

from __future__ import annotations

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
