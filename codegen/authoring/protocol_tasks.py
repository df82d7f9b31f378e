"""Tasks as the protocol defines them on legacy sessions (2025-11-25, basic/utilities/tasks.mdx).

The same tools and the same :class:`TaskStore` as the 2026-07-28 extension, on another
wire: a ``tools/call`` carrying ``params.task`` answers ``CreateTaskResult``; ``tasks/get``,
``tasks/result`` (blocks until terminal), ``tasks/list`` and ``tasks/cancel`` read and
steer it (by the runtime's receiver rules, :mod:`mcp_foundry.runtime.task_serving`,
which a client receiving tasks shares); status changes go out as
``notifications/tasks/status``. A task that needs input moves to ``input_required`` and
keeps its requests, marked with the related-task ``_meta``, pending in the task (in a
shared store: in its record) until a waiting ``tasks/result``, on whichever instance,
sends them on its stream and hands the answers back (each request on one stream at a
time, however many wait: :meth:`TaskBackend.offer`); its progress and logs carry that
``_meta`` too. Tasks are bound to the
caller: its authenticated principal, else its session. Whether a revision has all this is
asked of its generated bindings, never of a version string. The other way round, a tool,
or a task, can ask a client that declared it to run sampling or elicitation as a task
(``ctx.ask_as_task``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from contextlib import aclosing
from typing import Any

from mcp_foundry.runtime import revisions
from mcp_foundry.runtime.capabilities import has_path
from mcp_foundry.runtime.engine import ConnectionClosed
from mcp_foundry.runtime.store import StoreUnavailable
from mcp_foundry.runtime.task_serving import TaskRules, announcer, related

from .errors import INTERNAL_ERROR, METHOD_NOT_FOUND, RpcError, missing_capability
from .inputs import InputRequest, missing_capabilities
from .tasks import Task, TaskBackend

RELATED = revisions.RELATED_TASK_KEY
CAPABILITIES: dict[str, Any] = {"list": {}, "cancel": {}, "requests": {"tools": {"call": {}}}}
"""The server's ``tasks`` capability: list, cancel and task-augmented ``tools/call``."""
SUPPORT = {"none": "forbidden", "optional": "optional", "required": "required"}
"""A tool's ``task=`` as 2025-11-25 ``execution.taskSupport`` spells it."""

Method = Callable[[dict[str, Any], Any], Awaitable[dict[str, Any]]]
Send = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]
"""Sends the requestor one request, answered as a wire dict."""
_abandoned: set[asyncio.Task[None]] = set()
"""``tasks/cancel`` requests on their way to clients (kept so they are not collected)."""
log = logging.getLogger("mcp_foundry.authoring")


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


def check_support(task_support: str, asked: bool, tool: str) -> None:
    """Tool-level negotiation (tasks.mdx): -32601 for a task the tool forbids and for a
    plain call to a tool that requires one (``asked``: the call carries ``params.task``)."""
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
    """Status changes go to the session as unrelated notifications (on HTTP its
    standalone GET stream: the call that created the task has been answered)."""
    session = ctx.session
    if session is None:
        return lambda task: None
    return announcer(session.notify, lambda: bool(session.peer.closed))


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
    send = _on_requestor_streams(task, request, requests)
    task.waiting_for_input()
    try:
        answers: dict[str, Any] = {}
        for key, asked in requests.items():
            raw = await send(asked.method, related(asked.params, task.task_id))
            answers[key] = request.server.incoming_result(request.revision, asked.method, raw)
    finally:
        task.resumed()
    return answers


def _on_requestor_streams(task: Task, request: Any, requests: dict[str, InputRequest]) -> Send:
    """How a detached call sends its requestor requests: each waits in the task until a
    waiting ``tasks/result`` (tasks.mdx, input_required: the requestor calls it on seeing
    that status), on whichever instance, sends it on its stream
    (:meth:`ProtocolTaskMethods.result`). Refused (-32021) for what the client did not
    declare."""
    lacking = missing_capabilities(requests, dict(request.client_capabilities))
    if lacking or request.session is None:
        raise missing_capability(lacking)
    return task.ask_requestor


async def progress(
    task: Task, request: Any, progress: float, total: float | None, message: str | None
) -> None:
    """Progress of a detached call, marked with its task (the request's token stays valid
    for the task's lifetime; the notification travels on the session's own stream)."""
    await request.progress(progress, total, message, task_id=task.task_id)


class ProtocolTaskMethods:
    """``tasks/get``, ``tasks/result``, ``tasks/list`` and ``tasks/cancel`` over one store,
    each for the caller (:func:`owner`); the rules are the runtime's, shared with a
    client that receives tasks."""

    def __init__(self, store: TaskBackend, page_size: int | None = None) -> None:
        self.rules = TaskRules(store, page_size)

    def methods(self) -> dict[str, Method]:
        return {
            "tasks/get": self.get,
            "tasks/result": self.result,
            "tasks/list": self.list,
            "tasks/cancel": self.cancel,
        }

    async def get(self, params: dict[str, Any], ctx: Any) -> dict[str, Any]:
        return await self.rules.get(params, owner(ctx))

    async def list(self, params: dict[str, Any], ctx: Any) -> dict[str, Any]:
        return await self.rules.list(params, owner(ctx))

    async def cancel(self, params: dict[str, Any], ctx: Any) -> dict[str, Any]:
        return await self.rules.cancel(params, owner(ctx))

    async def result(self, params: dict[str, Any], ctx: Any) -> dict[str, Any]:
        """Blocks until the task is terminal, then answers what the call would have (in
        the session's revision); meanwhile the task's requests travel on this stream."""
        task = await self.rules.task(params, owner(ctx))
        await _deliver_requests(task, ctx, self.rules.store)
        outcome = await self.rules.outcome(task)
        handler_models = ctx.server.router.handler_bindings.models
        result = handler_models.CallToolResult.model_validate(outcome)
        body: dict[str, Any] = ctx.server.router.route(ctx.revision, "tools/call").result_out(
            result
        )
        return related(body, task.task_id)


async def _deliver_requests(task: Task, ctx: Any, store: TaskBackend) -> None:
    """Until ``task`` ends: send each request it has for its requestor on this
    ``tasks/result`` stream, unless another waiting stream, on any instance, carries it
    (:meth:`TaskBackend.offer`: the requestor sees each request once), and hand the
    answer (or error) back to the task, wherever it runs. A request whose stream ends
    before its answer (cancelled, connection closed) is withdrawn: a waiter still there,
    or the next ``tasks/result``, sends it again."""
    sending: dict[str, asyncio.Task[None]] = {}

    async def deliver(key: str, asked: InputRequest) -> None:
        answered = False
        try:
            params = ctx.server.outgoing_params(ctx.revision, asked.method, asked.params)
            try:
                raw = await ctx.session.peer.request(asked.method, params, related=ctx.request_id)
                outcome: dict[str, Any] = {"result": raw}
            except ConnectionClosed:
                return  # no answer: the requestor is not there any more on this stream
            except RpcError as exc:
                outcome = {"error": exc.to_wire()}
            await store.reply(task, key, outcome)
            answered = True
        except Exception:
            log.warning("task %s: input request not delivered", task.task_id, exc_info=True)
        finally:
            if not answered:
                await _withdraw(store, task, key)

    try:
        async with aclosing(task.updates()) as updates:
            async for _ in updates:
                for key, asked in list(task.pending.items()):
                    if key in sending or ctx.session is None:
                        continue
                    if await _offered(store, task, key):
                        job = asyncio.get_running_loop().create_task(deliver(key, asked))
                        sending[key] = job
    finally:
        for job in sending.values():
            job.cancel()
        await asyncio.gather(*sending.values(), return_exceptions=True)


async def _offered(store: TaskBackend, task: Task, key: str) -> bool:
    """Whether this stream is to send ``key``; not now while the shared store is out of
    reach (the next change, or the owner's next lease round, asks again)."""
    try:
        return await store.offer(task, key)
    except StoreUnavailable:
        log.warning("task %s: store unavailable; input request not offered yet", task.task_id)
        return False


async def _withdraw(store: TaskBackend, task: Task, key: str) -> None:
    """Withdraw ``key`` (even while being cancelled); should the store be out of
    reach, the claim lapses by itself."""
    try:
        await asyncio.shield(store.withdraw(task, key))
    except Exception:
        log.warning("task %s: input request not withdrawn", task.task_id, exc_info=True)


def client_runs(request: Any, method: str) -> bool:
    """True when the client declared it runs ``method`` as a task, on a tasks wire."""
    return served(request) and has_path(request.client_capabilities, _augmented(method))


def _augmented(method: str) -> tuple[str, ...]:
    """``sampling/createMessage`` → ``("tasks", "requests", "sampling", "createMessage")``."""
    return ("tasks", "requests", *method.split("/"))


async def ask_as_task(
    request: Any, asked: InputRequest, ttl_ms: int | None, task: Task | None = None
) -> Any:
    """The server as requestor: send ``asked`` task-augmented, then wait on the client's
    ``tasks/result``; the answer as the handler revision's result model.

    From a call that has not detached, both requests go on the call's own stream. From a
    running task (``task``) there is no such stream: the task needs its requestor's help
    to go on, so it is ``input_required`` (tasks.mdx, input_required status) until the
    client's task has ended, and both requests travel like any input the task asks for,
    on the stream of a waiting ``tasks/result``; the augmented request carries the
    task's related-task ``_meta`` (it is a request the task depends on), ``tasks/result``
    does not (its ``taskId`` names the client's task). A wait that is cancelled (the call
    or the task was) cancels the client's task too, best effort."""
    params = {**asked.params, "task": {} if ttl_ms is None else {"ttl": ttl_ms}}
    if task is None:
        return await _delegate(request.request, request, asked.method, params)
    send = _on_requestor_streams(task, request, {"asked": asked})
    task.waiting_for_input()
    try:
        return await _delegate(send, request, asked.method, related(params, task.task_id))
    finally:
        task.resumed()


async def _delegate(send: Send, request: Any, method: str, params: dict[str, Any]) -> Any:
    created = await send(method, params)
    made = created.get("task") if isinstance(created, dict) else None
    if not isinstance(made, dict) or not isinstance(made.get("taskId"), str):
        raise RpcError(INTERNAL_ERROR, f"{method}: the client created no task")
    try:
        raw = await send("tasks/result", {"taskId": made["taskId"]})
    except RpcError:
        raise  # the client answered: its task has ended
    except BaseException:
        _abandon(request, made["taskId"])
        raise
    return request.server.incoming_result(request.revision, method, raw)


def _abandon(request: Any, task_id: str) -> None:
    """Nobody waits for the client's task any more (what waited was cancelled or timed
    out): cancel it, best effort, where the client declared ``tasks/cancel``; sent
    unrelated (on HTTP the session's GET stream), the streams that waited having ended."""
    session = request.session
    cancels = has_path(request.client_capabilities, ("tasks", "cancel"))
    if session is None or session.peer.closed or not cancels:
        return

    async def cancel() -> None:
        try:
            await session.peer.request("tasks/cancel", {"taskId": task_id}, timeout=10)
        except Exception as exc:  # it ended meanwhile (-32602), or the client went away
            log.debug("client task %s not cancelled: %r", task_id, exc)

    job = asyncio.get_running_loop().create_task(cancel())
    _abandoned.add(job)
    job.add_done_callback(_abandoned.discard)
