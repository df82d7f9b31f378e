"""Fixtures: a private cache and manifest per test, a copy of the shared spec, a raw-file server."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from mcp_foundry import paths
from mcp_foundry.cli import main
from mcp_foundry.sources import manifest as manifest_module

SHARED = paths.SHARED_SPEC
COMMIT = manifest_module.load(paths.SCHEMA_MANIFEST).get("draft").commit


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Point the commands at a temp cache and a temp copy of the committed manifest."""
    cache = tmp_path / "cache"
    manifest = tmp_path / "manifest.json"
    shutil.copyfile(paths.SCHEMA_MANIFEST, manifest)
    monkeypatch.setenv("MCP_FOUNDRY_SCHEMA_CACHE", str(cache))
    monkeypatch.setenv("MCP_FOUNDRY_SCHEMA_MANIFEST", str(manifest))
    return {"cache": cache, "manifest": manifest}


@pytest.fixture
def spec_copy(tmp_path: Path) -> Path:
    """A writable copy of the shared checkout's schema folders (tests tamper with it)."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} not present")
    root = tmp_path / "spec"
    shutil.copytree(SHARED / "schema", root / "schema")
    return root


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def raw_server(tmp_path: Path, spec_copy: Path) -> Iterator[tuple[str, Path]]:
    """A real HTTP server on 127.0.0.1 laid out like raw.githubusercontent.com/<repo>.

    Yields the base URL and the folder served as ``<base>/<commit>/``.
    """
    served = tmp_path / "served"
    (served / COMMIT).mkdir(parents=True)
    shutil.copytree(spec_copy / "schema", served / COMMIT / "schema")
    handler = functools.partial(_Quiet, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", served / COMMIT
    finally:
        server.shutdown()
        server.server_close()


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, ["schema", *args], catch_exceptions=False)


@pytest.fixture
def run() -> Callable[..., Result]:
    """Run ``mcp-foundry schema ARGS…`` in-process; output includes stderr."""
    return _run
