"""Shared fixtures: the six revisions and their generated bindings."""

from __future__ import annotations

import pytest

import generated
from codegen.bindings import RevisionBindings
from codegen.ir.source import known_revisions


@pytest.fixture(params=known_revisions())
def revision(request: pytest.FixtureRequest) -> str:
    rev: str = request.param
    return rev


@pytest.fixture
def bindings(revision: str) -> RevisionBindings:
    return generated.load(revision)
