"""The receiver's rules of 2025-11-25 protocol tasks (basic/utilities/tasks.mdx), whichever
party receives: a server running task-augmented ``tools/call`` (the authoring layer's
``ProtocolTaskMethods``) and a client running a server's task-augmented sampling or
elicitation (:class:`~mcp_foundry.runtime.client_tasks.TaskReceiver`) both serve
``tasks/get``, ``tasks/list``, ``tasks/cancel`` and ``tasks/result`` through
:class:`TaskRules`, and announce status changes with :func:`announcer`.

Every lookup is made for one requestor (``owner``): a task is visible only to whoever
created it (tasks.mdx, task isolation). The store is the authoring layer's
``TaskBackend`` (duck-typed here: the runtime does not import the authoring layer).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from mcp_foundry.runtime import revisions
from mcp_foundry.runtime.errors import INTERNAL_ERROR, INVALID_PARAMS, RpcError
from mcp_foundry.runtime.paging import page

log = logging.getLogger("mcp_foundry.runtime")

RELATED = revisions.RELATED_TASK_KEY
PAGE_SIZE = 50
"""Tasks per ``tasks/list`` page unless the receiver says otherwise."""

Notify = Callable[[str, "dict[str, Any] | None"], Awaitable[None]]
_notes: set[asyncio.Task[None]] = set()
"""Status notifications on their way (kept so they are not garbage-collected)."""


class TaskRules:
    """``tasks/*`` over one store, for one requestor at a time."""

    def __init__(self, store: Any, page_size: int | None = None) -> None:
        self.store = store
        self.page_size = page_size or PAGE_SIZE

    async def task(self, params: dict[str, Any], owner: str | None) -> Any:
        """The task ``params.taskId`` names, if ``owner`` may see it, else -32602."""
        return await self.store.get(params.get("taskId"), owner)

    async def get(self, params: dict[str, Any], owner: str | None) -> dict[str, Any]:
        task = await self.task(params, owner)
        body: dict[str, Any] = task.protocol_task()
        return body

    async def list(self, params: dict[str, Any], owner: str | None) -> dict[str, Any]:
        """One page of the requestor's tasks; a cursor this receiver did not make: -32602."""
        listed = [t.protocol_task() for t in await self.store.list(owner)]
        items, cursor = page(listed, "taskId", params.get("cursor"), self.page_size)
        body: dict[str, Any] = {"tasks": items}
        if cursor is not None:
            body["nextCursor"] = cursor
        return body

    async def cancel(self, params: dict[str, Any], owner: str | None) -> dict[str, Any]:
        """Cancel a task that has not ended; one that has is refused with -32602."""
        task = await self.task(params, owner)
        if task.terminal:
            raise RpcError(
                INVALID_PARAMS,
                f"Cannot cancel task: already in terminal status {task.status!r}",
                {"taskId": task.task_id},
            )
        await self.store.cancel(task)
        body: dict[str, Any] = task.protocol_task()
        return body

    @staticmethod
    async def outcome(task: Any) -> dict[str, Any]:
        """``tasks/result``: wait until the task ends, then its result as the request would
        have answered it, or the JSON-RPC error it ended with (raised)."""
        await task.settled()
        if task.error is not None:
            raise RpcError.from_wire(task.error)
        if task.result is None:
            raise RpcError(INTERNAL_ERROR, f"Task {task.task_id} was {task.status}")
        result: dict[str, Any] = task.result
        return result


def related(body: dict[str, Any], task_id: str) -> dict[str, Any]:
    """``body`` with the related-task ``_meta`` (its other ``_meta`` keys kept)."""
    meta = body.get("_meta")
    mark = {RELATED: {"taskId": task_id}}
    return {**body, "_meta": {**meta, **mark} if isinstance(meta, dict) else mark}


def announcer(notify: Notify, closed: Callable[[], bool]) -> Callable[[Any], None]:
    """A task's ``on_status``: tell the requestor with ``notifications/tasks/status`` (the
    whole task, no related-task ``_meta``: the id is in the params), unless it is gone."""

    def announce(task: Any) -> None:
        if closed():
            return
        note = asyncio.get_running_loop().create_task(_send(notify, task.protocol_task()))
        _notes.add(note)
        note.add_done_callback(_notes.discard)

    return announce


async def _send(notify: Notify, params: dict[str, Any]) -> None:
    try:
        await notify("notifications/tasks/status", params)
    except Exception as exc:  # the peer went away meanwhile: the notification is optional
        log.debug("task status notification not sent: %r", exc)
