"""Tasks as the protocol defines them on legacy sessions (2025-11-25, basic/utilities/tasks.mdx).

The same tools and the same :class:`TaskStore` as the 2026-07-28 extension, on another
wire: a ``tools/call`` carrying ``params.task`` answers ``CreateTaskResult``; ``tasks/get``,
``tasks/result`` (blocks until terminal), ``tasks/list`` and ``tasks/cancel`` read and
steer it; status changes go out as ``notifications/tasks/status``. A task that needs
input moves to ``input_required`` and sends its requests, marked with the related-task
``_meta``, on the stream of a waiting ``tasks/result``. Tasks are bound to the caller:
its authenticated principal, else its session. Whether a revision has all this is asked
of its generated bindings, never of a version string. The other way round, a tool can
ask a client that declared it to run sampling or elicitation as a task (``ctx.ask_as_task``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from mcp_foundry.runtime import revisions
from mcp_foundry.runtime.capabilities import has_path

from .errors import INTERNAL_ERROR, INVALID_PARAMS, METHOD_NOT_FOUND, RpcError, missing_capability
from .inputs import InputRequest, missing_capabilities
from .paging import page
from .tasks import Task, TaskBackend

RELATED = revisions.RELATED_TASK_KEY
CAPABILITIES: dict[str, Any] = {"list": {}, "cancel": {}, "requests": {"tools": {"call": {}}}}
"""The server's ``tasks`` capability: list, cancel and task-augmented ``tools/call``."""
PAGE_SIZE = 50
SUPPORT = {"none": "forbidden", "optional": "optional", "required": "required"}
"""A tool's ``task=`` as 2025-11-25 ``execution.taskSupport`` spells it."""

Method = Callable[[dict[str, Any], Any], Awaitable[dict[str, Any]]]
_notes: set[asyncio.Task[None]] = set()
"""Status notifications on their way (kept so they are not garbage-collected)."""


def served(ctx: Any) -> bool:
    """True on a legacy session whose revision defines the protocol's tasks."""
    return ctx.era == "legacy" and "tasks/result" in revisions.bindings(ctx.revision).methods


def requested(ctx: Any) -> dict[str, Any] | None:
    """The request's ``params.task`` (``TaskMetadata``) where tasks are served, else None."""
    task = ctx.params.get("task") if served(ctx) else None
    return task if isinstance(task, dict) else None


def owner(ctx: Any) -> str | None:
    """Whom a task belongs to: the authenticated principal, else the session."""
    facts = getattr(ctx, "facts", None)
    principal = getattr(facts, "principal", None)
    if principal is not None:
        return f"principal:{principal}"
    session = getattr(ctx, "session", None)
    return f"session:{session.id}" if session is not None else None


def check_support(task_support: str, ctx: Any, tool: str) -> None:
    """Tool-level negotiation (tasks.mdx): -32601 for a task the tool forbids and for a
    plain call to a tool that requires one."""
    asked = requested(ctx) is not None
    if asked and task_support == "none":
        raise RpcError(METHOD_NOT_FOUND, f"Tool {tool} does not support task-augmented calls")
    if not asked and task_support == "required":
        raise RpcError(METHOD_NOT_FOUND, f"Task augmentation required for tool {tool}")


def opener(store: TaskBackend, ctx: Any) -> Callable[[asyncio.Task[Any]], Awaitable[Task]]:
    """How a call on this session detaches: a task with the requested ttl, owned by the
    caller, whose status changes are announced to the session."""
    metadata = requested(ctx) or {}
    ttl = metadata.get("ttl")

    async def open_task(runner: asyncio.Task[Any]) -> Task:
        task = await store.open(
            runner,
            ttl_ms=ttl if isinstance(ttl, int) and ttl >= 0 else None,
            owner=owner(ctx),
            tool_errors_fail=True,
        )
        task.on_status = _announcer(ctx)
        return task

    return open_task


def _announcer(ctx: Any) -> Callable[[Task], None]:
    session = ctx.session

    def announce(task: Task) -> None:
        if session is None or session.peer.closed:
            return
        note = asyncio.get_running_loop().create_task(
            session.notify("notifications/tasks/status", task.protocol_task())
        )
        _notes.add(note)
        note.add_done_callback(_notes.discard)

    return announce


def created(task: Task, ctx: Any) -> Any:
    """The ``CreateTaskResult``, as the session's revision models it."""
    models = revisions.bindings(ctx.revision).models
    return models.CreateTaskResult.model_validate({"task": task.protocol_task()})


def tool_listing(tools: list[dict[str, Any]], support: Mapping[str, str]) -> list[dict[str, Any]]:
    """``tools/list`` items with ``execution.taskSupport`` (by tool name in ``support``)."""
    return [{**t, "execution": {"taskSupport": SUPPORT[support[t["name"]]]}} for t in tools]


async def ask_for_task(
    task: Task, request: Any, requests: dict[str, InputRequest]
) -> dict[str, Any]:
    """Input for a detached call: ``input_required`` until answered, each request sent
    with the related-task ``_meta`` on the stream of a waiting ``tasks/result``."""
    lacking = missing_capabilities(requests, dict(request.client_capabilities))
    if lacking or request.session is None:
        raise missing_capability(lacking)
    server, revision = request.server, request.revision
    task.waiting_for_input()
    try:
        answers: dict[str, Any] = {}
        for key, asked in requests.items():
            related = await task.reader()
            params = {**asked.params, "_meta": {RELATED: {"taskId": task.task_id}}}
            wire_params = server.outgoing_params(revision, asked.method, params)
            raw = await request.session.peer.request(asked.method, wire_params, related=related)
            answers[key] = server.incoming_result(revision, asked.method, raw)
    finally:
        task.resumed()
    return answers


async def progress(
    task: Task, request: Any, progress: float, total: float | None, message: str | None
) -> None:
    """Progress of a detached call, marked with its task (the request's token stays valid
    for the task's lifetime; the notification travels on the session's own stream)."""
    await request.progress(progress, total, message, task_id=task.task_id)


class ProtocolTaskMethods:
    """``tasks/get``, ``tasks/result``, ``tasks/list`` and ``tasks/cancel`` over one store."""

    def __init__(self, store: TaskBackend, page_size: int | None = None) -> None:
        self.store = store
        self.page_size = page_size or PAGE_SIZE

    def methods(self) -> dict[str, Method]:
        return {
            "tasks/get": self.get,
            "tasks/result": self.result,
            "tasks/list": self.list,
            "tasks/cancel": self.cancel,
        }

    async def _task(self, params: dict[str, Any], ctx: Any) -> Task:
        return await self.store.get(params.get("taskId"), owner(ctx))

    async def get(self, params: dict[str, Any], ctx: Any) -> dict[str, Any]:
        return (await self._task(params, ctx)).protocol_task()

    async def result(self, params: dict[str, Any], ctx: Any) -> dict[str, Any]:
        """Blocks until the task is terminal, then answers what the call would have."""
        task = await self._task(params, ctx)
        with task.reading(ctx.request_id):
            await task.settled()
        if task.error is not None:
            raise RpcError.from_wire(task.error)
        if task.result is None:
            raise RpcError(INTERNAL_ERROR, f"Task {task.task_id} was {task.status}")
        handler_models = ctx.server.router.handler_bindings.models
        result = handler_models.CallToolResult.model_validate(task.result)
        body: dict[str, Any] = ctx.server.router.route(ctx.revision, "tools/call").result_out(
            result
        )
        meta = body.get("_meta")
        related = {RELATED: {"taskId": task.task_id}}
        body["_meta"] = {**meta, **related} if isinstance(meta, dict) else related
        return body

    async def list(self, params: dict[str, Any], ctx: Any) -> dict[str, Any]:
        listed = [t.protocol_task() for t in await self.store.list(owner(ctx))]
        items, cursor = page(listed, "taskId", params.get("cursor"), self.page_size)
        body: dict[str, Any] = {"tasks": items}
        if cursor is not None:
            body["nextCursor"] = cursor
        return body

    async def cancel(self, params: dict[str, Any], ctx: Any) -> dict[str, Any]:
        task = await self._task(params, ctx)
        if task.terminal:
            raise RpcError(
                INVALID_PARAMS,
                f"Cannot cancel task: already in terminal status {task.status!r}",
                {"taskId": task.task_id},
            )
        await self.store.cancel(task)
        return task.protocol_task()


def client_runs(request: Any, method: str) -> bool:
    """True when the client declared it runs ``method`` as a task, on a tasks wire."""
    return served(request) and has_path(request.client_capabilities, _augmented(method))


def _augmented(method: str) -> tuple[str, ...]:
    """``sampling/createMessage`` → ``("tasks", "requests", "sampling", "createMessage")``."""
    return ("tasks", "requests", *method.split("/"))


async def ask_as_task(request: Any, asked: InputRequest, ttl_ms: int | None) -> Any:
    """The server as requestor: send ``asked`` task-augmented, then wait on
    ``tasks/result``; the answer as the handler revision's result model."""
    metadata: dict[str, Any] = {} if ttl_ms is None else {"ttl": ttl_ms}
    created = await request.request(asked.method, {**asked.params, "task": metadata})
    task = created.get("task") if isinstance(created, dict) else None
    if not isinstance(task, dict) or not isinstance(task.get("taskId"), str):
        raise RpcError(INTERNAL_ERROR, f"{asked.method}: the client created no task")
    raw = await request.request("tasks/result", {"taskId": task["taskId"]})
    return request.server.incoming_result(request.revision, asked.method, raw)
