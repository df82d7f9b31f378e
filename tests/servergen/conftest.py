from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conformance.harness import everything_server

from .support import bind

EVERYTHING = [sys.executable, "-m", "examples.everything", "--transport", "stdio"]


@pytest.fixture(scope="session")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where generated packages go: a folder of their own, so ruff sees nothing else."""
    return tmp_path_factory.mktemp("bindings")


@pytest.fixture(scope="session")
def everything_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with everything_server(tmp_path_factory.mktemp("everything") / "server.log") as url:
        yield url


@pytest.fixture(scope="session")
def everything_bindings(packages: Path) -> Path:
    return bind(packages / "everything_bindings", *EVERYTHING)
