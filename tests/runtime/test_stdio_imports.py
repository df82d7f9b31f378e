"""A stdio server imports no HTTP stack, no generator side and only the revisions it serves
(issue #15: cold start). Checked in a real subprocess, from its own ``sys.modules`` at exit;
no timing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from wire_messages import INITIALIZE

pytestmark = pytest.mark.timeout(60)

ROOT = Path(__file__).resolve().parents[2]
HTTP_STACK = ("uvicorn", "starlette", "httptools", "httpx", "mcp_foundry.runtime.http")
GENERATOR_SIDE = (
    # the generator, its templates and formatters; a server reads the registry only
    "mcp_foundry.ir",
    "mcp_foundry.emit",
    "mcp_foundry.diff",
    "mcp_foundry.scaffold",
    "mcp_foundry.servergen",
    "mcp_foundry.commands",
    "jinja2",
    "black",
    "attr",
    "attrs",
    # per-user folders (schema cache, OAuth tokens) and the task journal's database
    "platformdirs",
    "sqlite3",
)
TOOLS_LIST = {"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {}}
PROBE = """
import atexit, json, runpy, sys
out = sys.argv.pop(1)
atexit.register(lambda: open(out, "w").write(json.dumps(sorted(sys.modules))))
sys.argv = ["everything", "--transport", "stdio"]
runpy.run_module("examples.everything", run_name="__main__")
"""


def _probe(tmp_path: Path, script: str, *messages: dict[str, object]) -> Any:
    """Run ``script`` (a stdio server that writes what it saw, as JSON, to the file named
    by its first argument) on ``messages``; what it wrote, once it has answered."""
    out = tmp_path / "probe.json"
    done = subprocess.run(
        [sys.executable, "-c", script, str(out)],
        input=b"".join(json.dumps(m).encode() + b"\n" for m in messages),
        capture_output=True,
        cwd=ROOT,
        timeout=50,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert b'"result"' in done.stdout, done.stdout
    return json.loads(out.read_text())


def _modules_after_serving(tmp_path: Path, *messages: dict[str, object]) -> list[str]:
    modules: list[str] = _probe(tmp_path, PROBE, *messages)
    return modules


def _within(modules: list[str], packages: tuple[str, ...]) -> list[str]:
    return [m for m in modules if any(m == p or m.startswith(p + ".") for p in packages)]


def test_stdio_server_imports_no_http_stack_and_only_the_revisions_it_serves(
    tmp_path: Path,
) -> None:
    modules = _modules_after_serving(tmp_path, INITIALIZE, TOOLS_LIST)
    assert _within(modules, HTTP_STACK) == []
    revisions = {m.split(".")[2] for m in modules if m.startswith("mcp_foundry.generated.rev_")}
    # the handler revision App implements, and the one the client negotiated
    assert revisions == {"rev_2026_07_28", "rev_2025_11_25"}


def test_stdio_server_imports_nothing_of_the_generator_side(tmp_path: Path) -> None:
    modules = _modules_after_serving(tmp_path, INITIALIZE, TOOLS_LIST)
    assert _within(modules, GENERATOR_SIDE) == []


CREATED = """
import atexit, importlib, json, runpy, sys
import pydantic
out = sys.argv.pop(1)

def created() -> dict[str, list[int]]:
    classes, stack = set(), [pydantic.BaseModel]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in classes:
                classes.add(sub)
                stack.append(sub)
    counts = {}
    for package in {m.rpartition(".")[0] for m in sys.modules if m.endswith(".models")}:
        if not package.startswith("mcp_foundry.generated.rev_"):
            continue
        total = len(importlib.import_module(package + ".models").__all__)
        mine = [
            c for c in classes
            if c.__module__.startswith(package + ".") and c.__module__ != package + "._prelude"
        ]
        counts[package.rpartition(".")[2]] = [len(mine), total]
    return counts

atexit.register(lambda: open(out, "w").write(json.dumps(created())))
sys.argv = ["everything", "--transport", "stdio"]
runpy.run_module("examples.everything", run_name="__main__")
"""


def test_answering_initialize_creates_only_the_model_classes_it_needs(tmp_path: Path) -> None:
    """Model classes are created on first use, each with its dependency closure (a ~1 ms
    pydantic class each was a third of cold start): answering a 2025-11-25 ``initialize``
    creates a small part of the two revisions a server loads."""
    counts: dict[str, list[int]] = _probe(tmp_path, CREATED, INITIALIZE)
    assert set(counts) == {"rev_2026_07_28", "rev_2025_11_25"}
    for revision, (created, total) in counts.items():
        assert total > 100, (revision, total)
        assert created * 4 < total, (revision, created, total)


AT_FIRST_ANSWER = """
import json, runpy, sys
from mcp_foundry.runtime import stdio
out = sys.argv.pop(1)
write = stdio.LineWriter._write

async def first_write(self, data):
    stdio.LineWriter._write = write
    with open(out, "w") as file:
        json.dump(sorted(sys.modules), file)
    await write(self, data)

stdio.LineWriter._write = first_write
sys.argv = ["everything", "--transport", "stdio"]
runpy.run_module("examples.everything", run_name="__main__")
"""


def test_stdio_server_answers_initialize_before_loading_anyio_backend(tmp_path: Path) -> None:
    """The stdio transport runs on asyncio itself: anyio's asyncio backend (with its socket,
    TLS and stream modules, a fifth of a cold start) is loaded after the first answer, when
    the engine first needs anyio. ``sys.modules`` as the first answer is written."""
    modules: list[str] = _probe(tmp_path, AT_FIRST_ANSWER, INITIALIZE)
    assert "mcp_foundry.runtime.session" in modules  # the probe saw the server at work
    assert _within(modules, ("anyio._backends", "anyio.streams", "anyio._core._sockets")) == []
