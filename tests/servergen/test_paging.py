"""Listing follows ``nextCursor`` to the last page (the server sends two items a page);
a tool whose arguments are one of two shapes takes them whole."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import anyio

from .support import bind, import_bindings, run_cli

PAGED = [sys.executable, str(Path(__file__).parent / "paged_server.py")]


def test_snapshot_and_bindings_hold_every_page(packages: Path, tmp_path: Path) -> None:
    snapshot = tmp_path / "paged.json"
    done = run_cli("server", "snapshot", "-o", str(snapshot), "--", *PAGED)
    assert done.returncode == 0, done.stderr
    doc = json.loads(snapshot.read_text())
    assert [t["name"] for t in doc["tools"]] == [*(f"echo_{n}" for n in range(5)), "lookup"]
    assert [p["name"] for p in doc["prompts"]] == [f"ask_{n}" for n in range(3)]
    assert len(doc["resourceTemplates"]) == 3
    assert doc["server"] == {"name": "paged", "version": "1.0.0"}
    package = import_bindings(bind(packages / "paged_bindings", *PAGED))

    async def run() -> None:
        async with package.PagedBindingsClient.stdio(PAGED) as typed:
            assert (await typed.echo_4(text="last page")).text == "last page"
            asked = await typed.ask_2_prompt(topic="cursors")
            assert "cursors" in json.dumps(asked.messages)
            item = await typed.read_item_2(item="x")
            assert item.contents[0]["uri"] == "paged://2/x"
            by_slug = package.models.LookupInputWithSlug(slug="a-b")
            assert json.loads((await typed.lookup(arguments=by_slug)).text) == {"slug": "a-b"}

    anyio.run(run)
