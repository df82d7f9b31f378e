"""2025-11-25 protocol tasks served by an authored App, on stdio and Streamable HTTP."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from mcp_foundry.runtime.errors import RpcError
from mcp_foundry.runtime.http.client import connect_http
from mcp_foundry.sources import registry

from .support import connected, http_server

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]
TASKS_REVISION = registry.latest("legacy")
RELATED = "io.modelcontextprotocol/related-task"


@pytest.fixture(params=["stdio", "http"])
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def status_of(client: Any, task_id: str, wanted: str) -> Any:
    for _ in range(400):
        task = await client.tasks.get(task_id)
        if task.status == wanted:
            return task
        await anyio.sleep(0.02)
    raise AssertionError(f"task {task_id} never reached {wanted}")


async def test_capabilities_and_tool_task_support(transport: str) -> None:
    async with connected(transport, TASKS_REVISION) as client:
        assert client.server_capabilities["tasks"] == {
            "list": {},
            "cancel": {},
            "requests": {"tools": {"call": {}}},
        }
        tools = await client.list_all("tools/list")
        listed = {t.name: t.execution.task_support for t in tools}
        assert listed["slow"] == "optional" and listed["only_task"] == "required"
        assert listed["plain"] == "forbidden" and len(listed) == 11


async def test_task_lifecycle_result_and_status_notifications(transport: str) -> None:
    async with connected(transport, TASKS_REVISION) as client:
        task = await client.tasks.call_tool("slow", {"seconds": 0.3}, ttl=5_000)
        assert task.status == "working" and task.ttl == 5_000 and task.poll_interval == 50
        assert task.created_at and task.last_updated_at
        got = await client.tasks.get(task.task_id)
        assert got.task_id == task.task_id and got.status == "working"
        raw = await client.call("tasks/result", {"taskId": task.task_id}, raw=True)
        assert raw["content"] == [{"type": "text", "text": "slept 0.3"}]
        assert raw["_meta"][RELATED] == {"taskId": task.task_id}
        assert (await client.tasks.get(task.task_id)).status == "completed"
        for _ in range(100):
            statuses = [
                p["status"]
                for m, p in client.notifications
                if m == "notifications/tasks/status" and p and p["taskId"] == task.task_id
            ]
            if statuses:
                break
            await anyio.sleep(0.02)
        assert statuses == ["completed"]


async def test_progress_outlives_the_request_marked_with_the_task(transport: str) -> None:
    async with connected(transport, TASKS_REVISION) as client:
        params = {"name": "steps", "arguments": {"count": 3}, "task": {}}
        created = await client.call("tools/call", {**params, "_meta": {"progressToken": "p"}})
        task_id = created.task.task_id
        assert (await client.tasks.wait(task_id)).content[0].text == "3 steps"
        for _ in range(100):
            seen = [p for m, p in client.notifications if m == "notifications/progress"]
            if len(seen) == 3:
                break
            await anyio.sleep(0.02)
        assert [(p["progressToken"], p["progress"]) for p in seen] == [("p", 1), ("p", 2), ("p", 3)]
        assert all(p["_meta"][RELATED] == {"taskId": task_id} for p in seen)


async def test_requested_ttl_is_capped_by_the_store(transport: str) -> None:
    async with connected(transport, TASKS_REVISION) as client:
        task = await client.tasks.call_tool("slow", {"seconds": 0}, ttl=10**9)
        assert task.ttl == 60_000
        assert (await client.tasks.wait(task.task_id)).content[0].text == "slept 0.0"


async def test_tool_level_negotiation_errors(transport: str) -> None:
    async with connected(transport, TASKS_REVISION) as client:
        with pytest.raises(RpcError) as forbidden:
            await client.tasks.call_tool("plain")
        assert forbidden.value.code == -32601
        with pytest.raises(RpcError) as required:
            await client.call_tool("only_task")
        assert required.value.code == -32601
        task = await client.tasks.call_tool("only_task")
        assert (await client.tasks.wait(task.task_id)).content[0].text == "ran as a task"
        assert (await client.call_tool("slow", {"seconds": 0})).content[0].text == "slept 0.0"


async def test_failures_tool_errors_and_protocol_errors(transport: str) -> None:
    async with connected(transport, TASKS_REVISION) as client:
        failing = await client.tasks.call_tool("failing")
        result = await client.tasks.result(failing.task_id)
        assert result.is_error is True and result.content[0].text == "tool said no"
        failed = await client.tasks.get(failing.task_id)
        assert failed.status == "failed" and failed.status_message
        broken = await client.tasks.call_tool("broken")
        with pytest.raises(RpcError) as error:
            await client.tasks.result(broken.task_id)
        assert (error.value.code, error.value.message) == (-32603, "internal trouble")
        assert (await client.tasks.get(broken.task_id)).status == "failed"


async def test_cancel_and_unknown_tasks(transport: str) -> None:
    async with connected(transport, TASKS_REVISION) as client:
        task = await client.tasks.call_tool("slow", {"seconds": 60})
        cancelled = await client.tasks.cancel(task.task_id)
        assert cancelled.status == "cancelled" and cancelled.task_id == task.task_id
        assert (await client.tasks.get(task.task_id)).status == "cancelled"
        for method in ("tasks/cancel", "tasks/get", "tasks/result"):
            bogus = "nope" if method != "tasks/cancel" else task.task_id
            with pytest.raises(RpcError) as error:
                await client.call(method, {"taskId": bogus})
            assert error.value.code == -32602, method


async def test_list_pages_and_rejects_bad_cursors(transport: str) -> None:
    async with connected(transport, TASKS_REVISION) as client:
        ids = {(await client.tasks.call_tool("slow", {"seconds": 0})).task_id for _ in range(3)}
        first = await client.call("tasks/list", {})
        assert len(first.tasks) == 2 and first.next_cursor is not None
        assert {t.task_id for t in await client.tasks.list()} == ids
        with pytest.raises(RpcError) as error:
            await client.call("tasks/list", {"cursor": "not-a-cursor"})
        assert error.value.code == -32602


async def test_input_required_sends_the_request_on_tasks_result(transport: str) -> None:
    asked: list[Any] = []

    async def elicit(params: Any) -> dict[str, Any]:
        asked.append(params)
        return {"action": "accept", "content": {"ok": True}}

    handlers = {"elicitation/create": elicit}
    async with connected(transport, TASKS_REVISION, handlers) as client:
        task = await client.tasks.call_tool("confirm")
        await status_of(client, task.task_id, "input_required")
        assert asked == []  # the request waits for a tasks/result stream
        result = await client.tasks.wait(task.task_id)
        assert result.content[0].text == "accept: {'ok': True}"
        assert asked[0].message == "Proceed?"
        assert asked[0].meta.model_dump(by_alias=True)[RELATED] == {"taskId": task.task_id}


async def test_tasks_are_private_to_their_session() -> None:
    with http_server() as url:
        async with connect_http(url, version=TASKS_REVISION) as owner:
            task = await owner.tasks.call_tool("slow", {"seconds": 0})
            async with connect_http(url, version=TASKS_REVISION) as other:
                assert await other.tasks.list() == []
                for method in ("tasks/get", "tasks/result", "tasks/cancel"):
                    with pytest.raises(RpcError) as error:
                        await other.call(method, {"taskId": task.task_id})
                    assert error.value.code == -32602, method
            assert (await owner.tasks.wait(task.task_id)).content[0].text == "slept 0.0"


@pytest.mark.parametrize("version", [v for v in registry.of_era("legacy") if v != TASKS_REVISION])
async def test_older_revisions_see_no_task_fields_or_methods(transport: str, version: str) -> None:
    async with connected(transport, version) as client:
        assert "tasks" not in client.server_capabilities
        listed = await client.peer.request("tools/list", {})
        assert all("execution" not in tool for tool in listed["tools"])
        for method in ("tasks/get", "tasks/result", "tasks/list", "tasks/cancel"):
            with pytest.raises(RpcError) as error:
                await client.peer.request(method, {"taskId": "x"})
            assert error.value.code == -32601, method
        augmented = {"name": "slow", "arguments": {"seconds": 0}, "task": {"ttl": 1000}}
        result = await client.peer.request("tools/call", augmented)
        assert result["content"] == [{"type": "text", "text": "slept 0.0"}]
        assert not {"task", "_meta"} & set(result)


async def test_modern_clients_see_the_extension_not_the_protocol_tasks() -> None:
    async with connected("stdio", registry.latest("modern")) as client:
        assert "tasks" not in client.server_capabilities
        assert "io.modelcontextprotocol/tasks" in client.server_capabilities["extensions"]


async def notes_of(client: Any, method: str, count: int) -> list[dict[str, Any]]:
    """The first ``count`` notifications ``method`` the client got (waits for them)."""
    for _ in range(250):
        seen = [p or {} for m, p in client.notifications if m == method]
        if len(seen) >= count:
            return seen
        await anyio.sleep(0.02)
    raise AssertionError(f"{count} × {method} never arrived: {client.notifications}")


async def test_logs_of_a_detached_task_reach_the_client_marked_with_it(transport: str) -> None:
    async with connected(transport, TASKS_REVISION) as client:
        task = await client.tasks.call_tool("chatty")
        assert (await client.tasks.wait(task.task_id)).content[0].text == "chatted"
        logs = await notes_of(client, "notifications/message", 2)
        assert [(p["level"], p["data"], p.get("logger")) for p in logs] == [
            ("info", "chatty: working", None),
            ("debug", {"step": 2}, "chatty"),
        ]
        assert all(p["_meta"][RELATED] == {"taskId": task.task_id} for p in logs)


async def test_a_task_past_its_ttl_is_cancelled_and_deleted(transport: str) -> None:
    async with connected(transport, TASKS_REVISION) as client:
        task = await client.tasks.call_tool("patient", {"seconds": 60}, ttl=300)
        assert (await client.tasks.get(task.task_id)).status == "working"
        await anyio.sleep(0.5)
        with pytest.raises(RpcError) as error:
            await client.tasks.get(task.task_id)
        assert error.value.code == -32602
        assert await client.tasks.list() == []
        (status,) = await notes_of(client, "notifications/tasks/status", 1)
        assert (status["taskId"], status["status"]) == (task.task_id, "cancelled")
        (stopped,) = await notes_of(client, "notifications/message", 1)
        assert stopped["data"] == "patient: stopped"  # the work itself was stopped
        assert stopped["_meta"][RELATED] == {"taskId": task.task_id}
