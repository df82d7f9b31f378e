"""Bad input and abandoned requests: an authored server answers clearly and leaks nothing."""

from __future__ import annotations

import asyncio
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp_foundry.authoring import App

from .conftest import Client

pytestmark = pytest.mark.timeout(60)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


def _typed_app() -> App:
    app = App("robust", "1")

    @app.tool()
    def typed(count: int, names: list[str], flag: bool = False) -> str:
        """Typed arguments."""
        return f"{count} {names} {flag}"

    return app


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(arguments=json_values)
def test_any_arguments_get_a_result_or_a_clear_error(arguments: Any) -> None:
    client = Client(_typed_app())
    response = anyio.run(client.send, "tools/call", {"name": "typed", "arguments": arguments})
    if "error" in response:
        assert response["error"]["code"] == -32602, response  # not an object: invalid params
        assert not isinstance(arguments, dict)
    else:
        result = response["result"]
        assert result["resultType"] == "complete" and result["content"][0]["type"] == "text"
        if result.get("isError"):
            assert "Invalid arguments for tool typed" in result["content"][0]["text"]


@pytest.mark.anyio
async def test_an_abandoned_call_stops_its_tool() -> None:
    app = App("abandon", "1")
    started, stopped = asyncio.Event(), asyncio.Event()

    @app.tool()
    async def forever() -> str:
        """Never finishes on its own."""
        started.set()
        try:
            await asyncio.sleep(3600)
        finally:
            stopped.set()
        return "unreachable"

    client = Client(app)
    call = asyncio.create_task(client.call("forever"))
    await asyncio.wait_for(started.wait(), 5)
    call.cancel()  # what the HTTP layer does when the client goes away
    await asyncio.wait_for(stopped.wait(), 5)
    assert call.cancelled() or call.done()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
