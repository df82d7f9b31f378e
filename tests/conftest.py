"""Fixtures every test folder may use."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from local_services import RedisServer, require
from mcp_foundry import paths


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The toolkit installed as a plain (non-editable) package in a folder of its own:
    mypy cannot follow an editable install's import hook, so type checks read this."""
    assert paths.CHECKOUT is not None, "the tests run from a checkout"
    target = tmp_path_factory.mktemp("installed") / "site"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--disable-pip-version-check",
            "--target",
            str(target),
            str(paths.CHECKOUT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return target


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A fresh ``redis-server`` on a free loopback port (``.url``); ``stop()`` kills it,
    ``start()`` brings it back on the same port, empty."""
    require("redis-server")
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()
