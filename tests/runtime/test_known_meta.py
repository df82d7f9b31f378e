"""A route validates each distinct modern ``_meta`` once (``dispatch.Route._known_meta``):
the answers stay those of full validation, an invalid ``_meta`` is refused every time, and
what the handler sees is the ``_meta`` its request sent."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from mcp_foundry import generated
from mcp_foundry.generated.rev_2026_07_28.handlers import ServerHandlers
from mcp_foundry.runtime.server import Server
from rt_support import MODERN, modern_meta

pytestmark = pytest.mark.timeout(30)


m = generated.load("2026-07-28").models


class Who(ServerHandlers):
    async def tools_call(self, params: Any, ctx: Any) -> Any:
        """The client name and capabilities of the validated ``_meta`` the handler got."""
        meta = params.meta
        caps = sorted(meta.client_capabilities.model_dump(exclude_none=True))
        said = f"{meta.client_info.name if meta.client_info else None} {caps}"
        return m.CallToolResult(result_type="complete", content=[m.TextContent(text=said)])


def _call(request_id: int, meta: dict[str, Any]) -> dict[str, Any]:
    params = {"name": "who", "arguments": {}, "_meta": meta}
    return {"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": params}


def _serve(*messages: dict[str, Any]) -> tuple[dict[Any, Any], Any]:
    server = Server(Who(), name="meta", version="1.0.0")
    answers: dict[Any, Any] = {}

    async def sink(message: Any, _related: Any) -> None:
        if isinstance(message, dict) and "id" in message:
            answers[message["id"]] = message

    async def run() -> None:
        async with server.session(sink) as session:
            for message in messages:
                await session.feed(message)

    anyio.run(run)
    return answers, server.router.route(MODERN, "tools/call")


def _text(answer: dict[str, Any]) -> str:
    text: str = answer["result"]["content"][0]["text"]
    return text


def test_one_meta_is_validated_once_and_each_request_sees_its_own() -> None:
    alice = modern_meta(**{"io.modelcontextprotocol/clientInfo": {"name": "alice", "version": "1"}})
    bob = modern_meta(
        **{
            "io.modelcontextprotocol/clientInfo": {"name": "bob", "version": "2"},
            "io.modelcontextprotocol/clientCapabilities": {"sampling": {}},
        }
    )
    answers, route = _serve(_call(1, alice), _call(2, bob), _call(3, alice), _call(4, bob))
    assert [_text(answers[i]) for i in (1, 2, 3, 4)] == [
        "alice []",
        "bob ['sampling']",
        "alice []",
        "bob ['sampling']",
    ]
    assert len(route.known_meta) == 2


def test_an_invalid_meta_is_refused_every_time_and_never_kept() -> None:
    bad = modern_meta(**{"io.modelcontextprotocol/clientInfo": {"name": 7}})
    answers, route = _serve(_call(1, bad), _call(2, bad), _call(3, modern_meta()))
    for request_id in (1, 2):
        error = answers[request_id]["error"]
        assert error["code"] == -32602
        assert "clientInfo" in str(error)
    assert _text(answers[3]) == "tests []"
    assert len(route.known_meta) == 1


def test_a_meta_with_a_progress_token_is_validated_each_time() -> None:
    answers, route = _serve(
        _call(1, modern_meta(progressToken=1)), _call(2, modern_meta(progressToken="two"))
    )
    assert [_text(answers[i]) for i in (1, 2)] == ["tests []", "tests []"]
    assert route.known_meta == {}
