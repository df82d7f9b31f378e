"""The everything server on stdio at 2026-07-28: raw JSON lines through a real process.

The harness only speaks HTTP, so this covers the modern wire on the other transport:
stateless requests, an input round, and a task that keeps running between requests.
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest
from anyio.abc import Process

from .harness import REPO

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

TASKS = {"extensions": {"io.modelcontextprotocol/tasks": {}}}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class LineClient:
    """Writes requests, reads lines until the response with the same id (skipping others)."""

    def __init__(self, process: Process) -> None:
        self.process = process
        self.buffer = b""
        self.next_id = 0

    async def request(
        self, method: str, params: dict[str, Any], caps: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        self.next_id += 1
        meta = {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": caps or {},
        }
        message = {
            "jsonrpc": "2.0",
            "id": self.next_id,
            "method": method,
            "params": {**params, "_meta": meta},
        }
        assert self.process.stdin is not None and self.process.stdout is not None
        await self.process.stdin.send(json.dumps(message).encode() + b"\n")
        while True:
            while b"\n" not in self.buffer:
                self.buffer += await self.process.stdout.receive()
            line, self.buffer = self.buffer.split(b"\n", 1)
            reply = json.loads(line)
            if reply.get("id") == self.next_id:
                return reply  # type: ignore[no-any-return]


@pytest.fixture
async def stdio() -> AsyncIterator[LineClient]:
    command = [sys.executable, "-m", "examples.everything", "--transport", "stdio"]
    async with await anyio.open_process(command, cwd=REPO) as process:
        yield LineClient(process)
        assert process.stdin is not None
        await process.stdin.aclose()
        with anyio.fail_after(10):
            assert await process.wait() == 0


async def test_rounds_and_tasks_over_stdio(stdio: LineClient) -> None:
    first = (
        await stdio.request(
            "tools/call",
            {"name": "test_input_required_result_elicitation", "arguments": {}},
            {"elicitation": {}},
        )
    )["result"]
    assert first["resultType"] == "input_required"
    answer = {"user_name": {"action": "accept", "content": {"name": "Stdio"}}}
    retry = {
        "name": "test_input_required_result_elicitation",
        "arguments": {},
        "inputResponses": answer,
        "requestState": first["requestState"],
    }
    done = (await stdio.request("tools/call", retry, {"elicitation": {}}))["result"]
    assert done["content"][0]["text"] == "Hello, Stdio!"

    created = (
        await stdio.request(
            "tools/call",
            {"name": "slow_compute", "arguments": {"seconds": 0.3, "label": "io"}},
            TASKS,
        )
    )["result"]
    assert created["resultType"] == "task"
    status = created["status"]
    with anyio.fail_after(10):
        while status not in ("completed", "failed", "cancelled"):
            await anyio.sleep(0.05)
            got = (await stdio.request("tasks/get", {"taskId": created["taskId"]}, TASKS))["result"]
            status = got["status"]
    assert (
        got["status"] == "completed"
        and got["result"]["content"][0]["text"] == "Computed io after 0.3s"
    )

    refused = await stdio.request("tools/call", {"name": "failing_job", "arguments": {}})
    assert refused["error"]["code"] == -32021
