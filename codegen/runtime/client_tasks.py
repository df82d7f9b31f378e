"""A client's side of protocol tasks (2025-11-25, basic/utilities/tasks.mdx): as the
requestor, call a tool as a task, poll or wait for it, cancel it, list tasks (``client.tasks``);
as the receiver, run a server's task-augmented sampling or elicitation (``client.accept_tasks``).

As the requestor, every method refuses locally (:class:`NotAdvertised`, nothing
sent) what the server did not declare; whether the negotiated revision has tasks at all
is asked of its generated bindings.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import anyio
from mcp_foundry.runtime import revisions
from mcp_foundry.runtime.capabilities import has_path
from mcp_foundry.runtime.errors import INTERNAL_ERROR, RpcError
from mcp_foundry.runtime.task_serving import TaskRules, announcer, related

if TYPE_CHECKING:
    from mcp_foundry.runtime.client import Client

TERMINAL = frozenset({"completed", "failed", "cancelled"})
"""The statuses a task ends in (tasks.mdx): the one home of this rule, for both layers."""
TOOLS_CALL = ("tasks", "requests", "tools", "call")
AUGMENTABLE = frozenset({"sampling/createMessage", "elicitation/create"})
"""Server→client requests a client may run as tasks (tasks.mdx, client capabilities)."""
TASK_METHODS = frozenset({"tasks/get", "tasks/result", "tasks/list", "tasks/cancel"})


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


class TaskReceiver:
    """The receiver's side, for a client that runs a server's task-augmented
    ``sampling/createMessage`` and ``elicitation/create`` (``client.accept_tasks``).

    ``store`` is the authoring layer's :class:`~mcp_foundry.authoring.TaskStore` (or
    another store with its interface): the same task records as a server's, served by the
    same rules (:mod:`~mcp_foundry.runtime.task_serving`: ``tasks/list`` pages, a task
    that ended cannot be cancelled). The tasks belong to this connection's server: the
    store may be shared by several clients, and each server sees only the tasks it
    created. Status changes are announced to it with ``notifications/tasks/status``.
    """

    def __init__(self, client: Client, store: Any, page_size: int | None = None) -> None:
        self.client = client
        self.store = store
        self.rules = TaskRules(store, page_size)
        self.owner = f"connection:{secrets.token_urlsafe(16)}"
        """The requestor: the server on this client's connection, whoever else shares
        the store."""

    def capability(self) -> dict[str, Any]:
        """The client's ``tasks`` capability: list, cancel and its augmentable requests."""
        requests: dict[str, Any] = {}
        for method in self.client.input_methods:
            if method in AUGMENTABLE:
                kind, name = method.split("/")
                requests.setdefault(kind, {})[name] = {}
        return {"list": {}, "cancel": {}, "requests": requests}

    def wants(self, method: str, params: Mapping[str, Any] | None) -> bool:
        """True for a task-augmented request this client declared it runs as a task."""
        return (
            method in AUGMENTABLE
            and isinstance(params, Mapping)
            and isinstance(params.get("task"), dict)
            and method in self.client.input_methods
        )

    async def accept(self, method: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Start the request as a task; answer ``CreateTaskResult`` at once."""
        ttl = params["task"].get("ttl")
        body = {k: v for k, v in params.items() if k != "task"}
        opened: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

        async def work() -> None:
            task = await opened
            try:
                task.finish(result=await self.client.dispatch_input(method, body))
            except RpcError as exc:
                task.finish(error=exc.to_wire())

        runner = asyncio.get_running_loop().create_task(work())
        task = await self.store.open(
            runner, ttl_ms=ttl if isinstance(ttl, int) and ttl >= 0 else None, owner=self.owner
        )
        peer = self.client.peer
        task.on_status = announcer(peer.notify, lambda: bool(peer.closed))
        opened.set_result(task)
        return {"task": task.protocol_task()}

    async def serve(self, method: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """``tasks/get``, ``tasks/result``, ``tasks/list`` or ``tasks/cancel`` from the server."""
        asked = dict(params)
        if method == "tasks/list":
            return await self.rules.list(asked, self.owner)
        if method == "tasks/get":
            return await self.rules.get(asked, self.owner)
        if method == "tasks/cancel":
            return await self.rules.cancel(asked, self.owner)
        task = await self.rules.task(asked, self.owner)
        return related(await self.rules.outcome(task), task.task_id)
