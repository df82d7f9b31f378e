"""The tasks extension through the real runtime: gating, lifecycle, input, cancel, ttl."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from mcp_foundry.authoring import App, Context, RpcError, TaskStore, ToolError, elicitation

from .conftest import TASKS, Client

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


@pytest.fixture
def app() -> App:
    app = App("tasks-app", "1.0.0", tasks=TaskStore(ttl_ms=60_000, poll_interval_ms=50))

    @app.tool(task="optional")
    async def sleep(seconds: float) -> str:
        """Sleep."""
        await asyncio.sleep(seconds)
        return f"slept {seconds}"

    @app.tool(task="required")
    async def must_be_task() -> str:
        """Only as a task; fails as a tool."""
        raise ToolError("tool said no")

    @app.tool(task="optional")
    async def broken() -> str:
        """Fails at the protocol level."""
        raise RpcError(-32603, "internal trouble")

    @app.tool(task="optional")
    async def two_questions(ctx: Context) -> str:
        """Parks for two answers at once."""
        form = {"type": "object", "properties": {"v": {"type": "string"}}}
        answers = await ctx.ask({"a": elicitation("A?", form), "b": elicitation("B?", form)})
        return "+".join(answers[k].content["v"] for k in ("a", "b"))

    @app.tool(task="required", detach="explicit")
    async def ask_then_work(ctx: Context) -> str:
        """An input round first, then a task."""
        answer = await ctx.elicit(
            "Who?", {"type": "object", "properties": {"who": {"type": "string"}}}, key="who"
        )
        await ctx.detach()
        return f"done for {answer.content['who']}"

    return app


async def poll(
    client: Client, task_id: str, until: tuple[str, ...] = ("completed", "failed", "cancelled")
) -> dict:
    for _ in range(200):
        got = await client.result("tasks/get", {"taskId": task_id}, TASKS)
        if got["status"] in until:
            return got
        await asyncio.sleep(0.02)
    raise AssertionError(f"task {task_id} stuck in {got['status']}")


async def test_without_the_extension_tasks_are_refused_or_inline(client: Client) -> None:
    for method in ("tasks/get", "tasks/update", "tasks/cancel"):
        error = await client.error(method, {"taskId": "bogus", "inputResponses": {}})
        assert error["code"] == -32021, method
    error = await client.error("tools/call", {"name": "must_be_task", "arguments": {}})
    assert error["code"] == -32021
    assert error["data"]["requiredCapabilities"] == {
        "extensions": {"io.modelcontextprotocol/tasks": {}}
    }
    inline = await client.call("sleep", {"seconds": 0})
    assert inline["resultType"] == "complete" and "taskId" not in inline


async def test_removed_methods_stay_unknown(client: Client) -> None:
    for method in ("tasks/result", "tasks/list"):
        assert (await client.error(method, {"taskId": "x"}, TASKS))["code"] == -32601


async def test_lifecycle_create_poll_complete(client: Client) -> None:
    created = await client.call("sleep", {"seconds": 0.1}, TASKS)
    assert created["resultType"] == "task" and created["status"] == "working"
    assert ISO.match(created["createdAt"]) and ISO.match(created["lastUpdatedAt"])
    assert created["ttlMs"] == 60_000 and created["pollIntervalMs"] == 50
    assert not {
        "task",
        "result",
        "error",
        "inputRequests",
        "requestState",
        "ttl",
        "pollInterval",
    } & set(created)
    first = await client.result("tasks/get", {"taskId": created["taskId"]}, TASKS)
    assert first["status"] == "working" and "result" not in first
    done = await poll(client, created["taskId"])
    assert done["status"] == "completed" and done["resultType"] == "complete"
    assert done["result"]["content"] == [{"type": "text", "text": "slept 0.1"}]


async def test_tool_errors_complete_and_protocol_errors_fail(client: Client) -> None:
    tool_error = await poll(client, (await client.call("must_be_task", {}, TASKS))["taskId"])
    assert tool_error["status"] == "completed" and tool_error["result"]["isError"] is True
    failed = await poll(client, (await client.call("broken", {}, TASKS))["taskId"])
    assert failed["status"] == "failed" and "result" not in failed
    assert failed["error"] == {"code": -32603, "message": "internal trouble"}


async def test_cancel_settles_at_once_and_is_idempotent(client: Client) -> None:
    task_id = (await client.call("sleep", {"seconds": 60}, TASKS))["taskId"]
    ack = await client.result("tasks/cancel", {"taskId": task_id}, TASKS)
    assert ack["resultType"] == "complete" and not {"taskId", "status"} & set(ack)
    assert (await client.result("tasks/get", {"taskId": task_id}, TASKS))["status"] == "cancelled"
    again = await client.result("tasks/cancel", {"taskId": task_id}, TASKS)
    assert again["resultType"] == ack["resultType"]
    assert (await client.error("tasks/cancel", {"taskId": "unknown"}, TASKS))["code"] == -32602
    assert (await client.error("tasks/get", {"taskId": "unknown"}, TASKS))["code"] == -32602


async def test_input_required_with_partial_answers(client: Client) -> None:
    caps = {**TASKS, "elicitation": {}}
    task_id = (await client.call("two_questions", {}, caps))["taskId"]
    parked = await poll(client, task_id, ("input_required",))
    assert set(parked["inputRequests"]) == {"a", "b"}
    ack = await client.result(
        "tasks/update",
        {
            "taskId": task_id,
            "inputResponses": {"a": {"action": "accept", "content": {"v": "x"}}, "zzz": {}},
        },
        caps,
    )
    assert ack == {"resultType": "complete", "_meta": ack["_meta"]}
    still = await client.result("tasks/get", {"taskId": task_id}, caps)
    assert still["status"] == "input_required" and set(still["inputRequests"]) == {"b"}
    malformed = await client.error("tasks/update", {"taskId": task_id, "inputResponses": 7}, caps)
    assert malformed["code"] == -32602
    await client.result(
        "tasks/update",
        {"taskId": task_id, "inputResponses": {"b": {"action": "accept", "content": {"v": "y"}}}},
        caps,
    )
    done = await poll(client, task_id)
    assert done["result"]["content"][0]["text"] == "x+y"


async def test_input_round_first_then_task(client: Client) -> None:
    caps = {**TASKS, "elicitation": {}}
    first = await client.call("ask_then_work", {}, caps)
    assert first["resultType"] == "input_required" and "taskId" not in first
    created = await client.call(
        "ask_then_work",
        {},
        caps,
        inputResponses={"who": {"action": "accept", "content": {"who": "Alice"}}},
        requestState=first["requestState"],
    )
    assert created["resultType"] == "task" and "requestState" not in created
    done = await poll(client, created["taskId"])
    assert done["result"]["content"][0]["text"] == "done for Alice"


async def test_finished_tasks_expire_after_their_ttl() -> None:
    app = App("ttl", "1", tasks=TaskStore(ttl_ms=100))

    @app.tool(task="optional")
    def quick() -> str:
        """Quick."""
        return "ok"

    client = Client(app)
    task_id = (await client.call("quick", {}, TASKS))["taskId"]
    assert (await poll(client, task_id))["status"] == "completed"
    await asyncio.sleep(0.15)
    assert (await client.error("tasks/get", {"taskId": task_id}, TASKS))["code"] == -32602


async def test_journaled_tasks_survive_a_restart(tmp_path: Path) -> None:
    def server(store: TaskStore) -> Client:
        app = App("durable", "1", tasks=store)

        @app.tool(task="optional")
        async def work(seconds: float) -> str:
            """Work."""
            await asyncio.sleep(seconds)
            return "worked"

        return Client(app)

    before = server(TaskStore(path=tmp_path / "tasks.db"))
    finished = (await before.call("work", {"seconds": 0}, TASKS))["taskId"]
    await poll(before, finished)
    unfinished = (await before.call("work", {"seconds": 60}, TASKS))["taskId"]

    after = server(TaskStore(path=tmp_path / "tasks.db"))
    done = await after.result("tasks/get", {"taskId": finished}, TASKS)
    assert done["status"] == "completed" and done["result"]["content"][0]["text"] == "worked"
    lost = await after.result("tasks/get", {"taskId": unfinished}, TASKS)
    assert lost["status"] == "failed" and "restarted" in lost["error"]["message"]
    await before.app.task_store.close()
