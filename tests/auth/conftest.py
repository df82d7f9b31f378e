"""Fixtures of the auth tests: a local authorization server and the protected notes server
that trusts it, one of each per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from mcp_foundry.testing.authorization_server import AuthorizationServer, running

from .support import ADMIN, READ, WRITE, Protected, protected_notes


@pytest.fixture(scope="module")
def issuer() -> Iterator[AuthorizationServer]:
    with running([READ, WRITE, ADMIN]) as server:
        yield server


@pytest.fixture(scope="module")
def notes(issuer: AuthorizationServer) -> Iterator[Protected]:
    with protected_notes(issuer) as live:
        yield live
