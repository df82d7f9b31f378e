"""The requestor's side of protocol tasks (2025-11-25, basic/utilities/tasks.mdx):
call a tool as a task, poll or wait for it, cancel it, list tasks.

Used as ``client.tasks``. Every method refuses locally (:class:`NotAdvertised`, nothing
sent) what the server did not declare; whether the negotiated revision has tasks at all
is asked of its generated bindings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import anyio
from mcp_foundry.runtime import revisions
from mcp_foundry.runtime.capabilities import has_path
from mcp_foundry.runtime.errors import INTERNAL_ERROR, RpcError

if TYPE_CHECKING:
    from mcp_foundry.runtime.client import Client

TERMINAL = frozenset({"completed", "failed", "cancelled"})
TOOLS_CALL = ("tasks", "requests", "tools", "call")


class ClientTasks:
    """Task calls on one connected :class:`Client`."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def _models(self) -> Any:
        revision = self.client.revision
        if revision is None or "tasks/result" not in revisions.bindings(revision).methods:
            raise RpcError(INTERNAL_ERROR, f"MCP {revision} has no protocol tasks")
        return revisions.bindings(revision).models

    async def call_tool(
        self, name: str, arguments: Mapping[str, Any] | None = None, *, ttl: int | None = None
    ) -> Any:
        """``tools/call`` as a task; returns the created ``Task`` (model)."""
        from mcp_foundry.runtime.client import NotAdvertised

        models = self._models()
        if not has_path(self.client.server_capabilities, TOOLS_CALL):
            raise NotAdvertised("tools/call as a task", TOOLS_CALL)
        task: dict[str, Any] = {} if ttl is None else {"ttl": ttl}
        params = {"name": name, "arguments": dict(arguments or {}), "task": task}
        raw = await self.client.call("tools/call", params, raw=True)
        return models.CreateTaskResult.model_validate(raw).task

    async def get(self, task_id: str) -> Any:
        self._models()
        return await self.client.call("tasks/get", {"taskId": task_id})

    async def result(self, task_id: str) -> Any:
        """``tasks/result``: blocks until the task is terminal; the tool's result (model),
        or the :class:`RpcError` the call ended with."""
        models = self._models()
        raw = await self.client.call("tasks/result", {"taskId": task_id}, raw=True)
        return models.CallToolResult.model_validate(raw)

    async def wait(self, task_id: str) -> Any:
        """Poll ``tasks/get`` at the server's ``pollInterval`` until the task is terminal
        or needs input, then fetch the result (input requests are answered meanwhile by
        the client's handlers)."""
        while True:
            task = await self.get(task_id)
            if task.status in TERMINAL or task.status == "input_required":
                return await self.result(task_id)
            await anyio.sleep((task.poll_interval or 1000) / 1000)

    async def cancel(self, task_id: str) -> Any:
        self._models()
        return await self.client.call("tasks/cancel", {"taskId": task_id})

    async def list(self) -> list[Any]:
        """Every task the server lets this client see, page after page."""
        self._models()
        tasks: list[Any] = []
        params: dict[str, Any] = {}
        while True:
            page = await self.client.call("tasks/list", params)
            tasks.extend(page.tasks)
            if page.next_cursor is None:
                return tasks
            params = {"cursor": page.next_cursor}
