"""Many requests at once on one session and statelessly: every one answered, none mixed up."""

from __future__ import annotations

import anyio
import httpx
import orjson
import pytest
from http_support import (
    Live,
    call,
    legacy_headers,
    messages,
    modern_headers,
    open_session,
)

pytestmark = pytest.mark.timeout(60)


@pytest.mark.parametrize("wire", ["legacy", "modern"])
def test_concurrent_requests_are_each_answered_once(live: Live, wire: str) -> None:
    with httpx.Client(timeout=10) as sync:
        headers = (
            legacy_headers(open_session(sync, live.url))
            if wire == "legacy"
            else modern_headers("tools/call", "echo")
        )
    answers: dict[int, str] = {}

    async def worker(http: httpx.AsyncClient, first: int) -> None:
        for request_id in range(first, first + 12):
            message = call("echo", {"text": f"t{request_id}"}, request_id)
            if wire == "modern":
                message["params"]["_meta"] = {  # type: ignore[index]
                    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                    "io.modelcontextprotocol/clientCapabilities": {},
                }
            reply = await http.post(live.url, content=orjson.dumps(message), headers=headers)
            (answer,) = messages(reply)
            assert answer["id"] == request_id
            answers[request_id] = answer["result"]["content"][0]["text"]

    async def run() -> None:
        async with (
            httpx.AsyncClient(timeout=20) as http,
            anyio.create_task_group() as group,
        ):
            for n in range(16):
                group.start_soon(worker, http, 1000 + n * 100)

    anyio.run(run)
    assert len(answers) == 16 * 12
    assert all(text == f"t{request_id}" for request_id, text in answers.items())
