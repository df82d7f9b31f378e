"""Bindings for a server scaffolded by ``mcp-foundry new``: typed structured output, and
``structuredContent`` validated against the output model when it comes back."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp_foundry.runtime.client import connect_stdio
from pydantic import ValidationError

from .support import assert_clean, bind, import_bindings, run_cli

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("scaffold") / "forecast"
    features = "tools,resources,prompts,progress,elicitation"
    done = run_cli("new", "forecast", "--dir", str(root), "--with", features)
    assert done.returncode == 0, done.stderr
    return root


@pytest.fixture(scope="module")
def command(project: Path) -> list[str]:
    return [sys.executable, "-m", "forecast"]


@pytest.fixture(scope="module")
def env(project: Path) -> dict[str, str]:
    return {"PYTHONPATH": os.pathsep.join([str(project / "src"), os.environ.get("PYTHONPATH", "")])}


@pytest.fixture(scope="module")
def bindings(packages: Path, command: list[str], env: dict[str, str]) -> Path:
    return bind(packages / "forecast_bindings", *command, env=env)


def test_scaffolded_bindings_are_clean_and_typed(bindings: Path, site: Path) -> None:
    assert_clean(site, bindings)
    client = (bindings / "client.py").read_text()
    assert "async def add(self, *, a: StrictInt, b: StrictInt) -> AddOutput:" in client
    assert "async def review_prompt(" in client and "async def read_greeting(" in client


async def answer(params: Any) -> dict[str, Any]:
    return {"action": "accept", "content": {"color": "teal"}}


def test_every_tool_prompt_and_template_returns_validated_models(
    bindings: Path, command: list[str], env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", env["PYTHONPATH"])
    package = import_bindings(bindings)
    tools = {t["name"] for t in json.loads((bindings / "surface.json").read_text())["tools"]}
    assert tools == {"add", "greet", "countdown", "favorite_color"}

    async def run() -> None:
        async with connect_stdio(command, connect=False) as client:
            client.on_request("elicitation/create", answer)
            await client.connect()
            typed = package.ForecastBindingsClient(client)
            total = await typed.add(a=2, b=40)
            assert isinstance(total, package.models.AddOutput) and total.total == 42
            assert (await typed.greet(name="Ann")).text == "Hello, Ann!"
            assert (await typed.countdown(steps=3)).text == "counted 3 steps"
            assert (await typed.favorite_color()).text == "you like teal"
            review = await typed.review_prompt(code="print(1)")
            assert "print(1)" in json.dumps(review.messages)
            greeting = await typed.read_greeting(who="Ann Lee")
            assert greeting.contents[0]["uri"].endswith("/greetings/Ann%20Lee")

    anyio.run(run)


def test_structured_content_that_breaks_the_output_model_is_refused(
    bindings: Path,
    packages: Path,
    command: list[str],
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Bindings generated from a snapshot promising ``total: string`` reject the live
    server's integer: the output model, not the caller, catches the mismatch."""
    doc = json.loads((bindings / "surface.json").read_text())
    (add,) = [t for t in doc["tools"] if t["name"] == "add"]
    add["outputSchema"]["properties"]["total"] = {"type": "string"}
    snapshot = packages / "forecast-promises-a-string.json"
    snapshot.write_text(json.dumps(doc))
    stale = import_bindings(bind(packages / "forecast_stale", str(snapshot)))
    monkeypatch.setenv("PYTHONPATH", env["PYTHONPATH"])

    async def run() -> None:
        async with stale.ForecastStaleClient.stdio(command) as typed:
            with pytest.raises(ValidationError):
                await typed.add(a=1, b=2)

    anyio.run(run)
