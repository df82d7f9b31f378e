"""Our client pages through a paginated server over Streamable HTTP, on both eras."""

from __future__ import annotations

from collections.abc import Iterator

import anyio
import pytest
from http_support import start_server
from mcp_foundry.authoring import App
from mcp_foundry.runtime import revisions
from mcp_foundry.runtime.http import connect_http, create_app

pytestmark = pytest.mark.timeout(30)

NAMES = [f"tool_{n}" for n in range(7)]


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    app = App("paged", "1.0.0", page_size=3)
    for name in NAMES:

        def tool() -> str:
            return "ok"

        tool.__name__ = name
        tool.__doc__ = "A tool."
        app.tool()(tool)
    server, thread, sock, _ = start_server(create_app(app.runtime()))
    host, port = sock.getsockname()[:2]
    yield f"http://{host}:{port}/mcp"
    server.should_exit = True
    thread.join(10)


@pytest.mark.parametrize("version", revisions.available())
def test_list_all_follows_next_cursor_to_the_end(url: str, version: str) -> None:
    async def run() -> None:
        async with connect_http(url, version=version) as client:
            first = await client.list_tools()
            assert len(first.tools) == 3 and first.next_cursor is not None
            tools = await client.list_all("tools/list")
            assert [t.name for t in tools] == NAMES

    anyio.run(run)
