"""Paginated lists (pagination.mdx): pages in order, stable cursors, bad cursors refused."""

from __future__ import annotations

from typing import Any

import pytest
from mcp_foundry.authoring import App
from mcp_foundry.runtime.errors import INVALID_PARAMS

from .conftest import Client

pytestmark = pytest.mark.anyio


def add_tool(app: App, name: str) -> None:
    def tool() -> str:
        return name

    tool.__name__ = name
    tool.__doc__ = f"Tool {name}."
    app.tool()(tool)


@pytest.fixture
def app() -> App:
    app = App("paged", "1.0.0", page_size=2)
    for name in ("a", "b", "c", "d", "e"):
        add_tool(app, name)
    return app


async def pages(client: Client, method: str, field: str) -> list[list[str]]:
    found: list[list[str]] = []
    params: dict[str, Any] = {}
    while True:
        result = await client.result(method, params)
        found.append([item["name"] for item in result[field]])
        if "nextCursor" not in result:
            return found
        params = {"cursor": result["nextCursor"]}


async def test_tools_come_in_pages_of_the_set_size(client: Client) -> None:
    assert await pages(client, "tools/list", "tools") == [["a", "b"], ["c", "d"], ["e"]]


async def test_a_cursor_survives_tools_added_and_removed_meanwhile(
    app: App, client: Client
) -> None:
    first = await client.result("tools/list")
    add_tool(app, "f")  # registered while the client pages: shows up once, at the end
    second = await client.result("tools/list", {"cursor": first["nextCursor"]})
    assert [t["name"] for t in second["tools"]] == ["c", "d"]
    app.remove_tool("d")  # the item the cursor names is gone: paging goes on from its place
    third = await client.result("tools/list", {"cursor": second["nextCursor"]})
    assert [t["name"] for t in third["tools"]] == ["e", "f"]
    assert "nextCursor" not in third


@pytest.mark.parametrize("cursor", ["not base64 !", "e30=", "", "eyJhZnRlciI6ImEiLCJhdCI6LTF9"])
async def test_unknown_cursors_are_invalid_params(client: Client, cursor: str) -> None:
    error = await client.error("tools/list", {"cursor": cursor})
    assert error["code"] == INVALID_PARAMS and "cursor" in error["message"]


async def test_without_a_page_size_everything_comes_at_once() -> None:
    app = App("whole", "1.0.0")
    for name in ("a", "b", "c"):
        add_tool(app, name)
    result = await Client(app).result("tools/list")
    assert [t["name"] for t in result["tools"]] == ["a", "b", "c"]
    assert "nextCursor" not in result


async def test_prompts_and_resources_page_too(app: App, client: Client) -> None:
    for n in range(3):
        app.prompt(name=f"p{n}")(lambda: "hi")
        app.resource(f"memo://{n}", name=f"r{n}")(lambda: "text")
    assert await pages(client, "prompts/list", "prompts") == [["p0", "p1"], ["p2"]]
    assert await pages(client, "resources/list", "resources") == [
        ["r0", "r1"],
        ["r2"],
    ]
