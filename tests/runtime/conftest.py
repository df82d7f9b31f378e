"""Fixtures for the runtime tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rt_support import Pipe


@pytest.fixture
def pipe() -> Iterator[Pipe]:
    server = Pipe()
    try:
        yield server
    finally:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait()
