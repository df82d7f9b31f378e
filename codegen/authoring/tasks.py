"""Task state and lifecycle, one store for both task wires.

A task is a tool call that outlives its request: the work runs as a background asyncio
task, its state lives here keyed by an opaque id, and later requests read and steer it:
the 2026-07-28 extension (``io.modelcontextprotocol/tasks``, SEP-2663: ``tasks/get``,
``tasks/update``, ``tasks/cancel``) and the 2025-11-25 protocol tasks (``tasks/get``,
``tasks/result``, ``tasks/list``, ``tasks/cancel``; :mod:`.protocol_tasks`). The record
is written before the ``CreateTaskResult`` goes out, so an immediate ``tasks/get`` resolves.

The store's interface is :class:`TaskBackend`; :class:`TaskStore` is the in-memory one,
optionally journaled, and :class:`~.shared_tasks.SharedTaskStore` the one for servers
that run as several instances over a shared ``runtime.store``.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol, Self

from mcp_foundry.runtime.client_tasks import TERMINAL

from .errors import INVALID_PARAMS, RpcError
from .inputs import InputRequest, valid_answer
from .task_journal import TaskJournal

EXTENSION = "io.modelcontextprotocol/tasks"
Status = Literal["working", "input_required", "completed", "failed", "cancelled"]
TaskSupport = Literal["none", "optional", "required"]
CANCELLED = "Cancelled by request"
"""The status message of a task cancelled by ``tasks/cancel``."""


def _iso(stamp: float) -> str:
    moment = datetime.fromtimestamp(stamp, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Task:
    """One task's state. Only the store and the task's own runner change it."""

    task_id: str
    ttl_ms: int | None
    poll_interval_ms: int
    created: float = field(default_factory=time.time)
    updated: float = 0.0
    status: Status = "working"
    status_message: str | None = None
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    pending: dict[str, InputRequest] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)
    runner: asyncio.Task[Any] | None = None
    on_change: Callable[[Task], None] | None = None
    """Called after every state change (the store's journal writes it down)."""
    on_status: Callable[[Task], None] | None = None
    """Called after every status change (2025-11-25: ``notifications/tasks/status``)."""
    owner: str | None = None
    """Who may see the task (2025-11-25: the caller's principal or session), if known."""
    tool_errors_fail: bool = False
    """2025-11-25: a tool result with ``isError`` moves the task to ``failed``."""
    _answered: asyncio.Event = field(default_factory=asyncio.Event)
    _done: asyncio.Event = field(default_factory=asyncio.Event)
    _news: asyncio.Event = field(default_factory=asyncio.Event)
    """Set (and replaced) at every change: what :meth:`updates` waits on."""
    _replies: dict[str, dict[str, Any]] = field(default_factory=dict)
    _offered: set[str] = field(default_factory=set)
    """2025-11-25 requests a ``tasks/result`` stream carries now (in-memory store)."""

    def __post_init__(self) -> None:
        self.updated = self.updated or self.created

    def record(self) -> dict[str, Any]:
        """The task's state as JSON values (what a journal or a shared store keeps;
        the runner and the waiting machinery stay in this process)."""
        return {
            "ttl_ms": self.ttl_ms,
            "poll_interval_ms": self.poll_interval_ms,
            "created": self.created,
            "updated": self.updated,
            "status": self.status,
            "status_message": self.status_message,
            "result": self.result,
            "error": self.error,
            "pending": {k: r.to_wire() for k, r in self.pending.items()},
            "owner": self.owner,
            "tool_errors_fail": self.tool_errors_fail,
        }

    @classmethod
    def from_record(cls, task_id: str, record: dict[str, Any]) -> Self:
        """A task (without a runner) from what :meth:`record` gave."""
        fields = {k: record[k] for k in _RECORD_FIELDS if k in record}
        pending = {
            k: InputRequest(r["method"], r["params"]) for k, r in record.get("pending", {}).items()
        }
        return cls(task_id, **fields, pending=pending)

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    def expired(self, now: float) -> bool:
        return self.ttl_ms is not None and now > self.created + self.ttl_ms / 1000

    def _set(self, status: Status, message: str | None = None) -> None:
        self.status = status
        self.status_message = message
        self._touch()
        if self.terminal:
            self._done.set()
        if self.on_status is not None:
            self.on_status(self)

    async def settled(self) -> None:
        """Return once the task is in a terminal status."""
        if not self.terminal:
            await self._done.wait()

    def _touch(self) -> None:
        self.updated = time.time()
        self._wake()
        if self.on_change is not None:
            self.on_change(self)

    def _wake(self) -> None:
        news, self._news = self._news, asyncio.Event()
        news.set()

    def nudge(self) -> None:
        """Wake :meth:`updates` readers without a change of the task's own (something
        they look at beside it changed: a request was withdrawn by its stream)."""
        self._wake()

    async def updates(self) -> AsyncGenerator[None, None]:
        """Yields now and after every change until the task is terminal (a reader looks
        at its state each time)."""
        while True:
            news = self._news
            yield
            if self.terminal:
                return
            await news.wait()

    def envelope(self) -> dict[str, Any]:
        """The fields shared by ``CreateTaskResult`` and ``tasks/get``."""
        return self._fields(ttl="ttlMs", poll="pollIntervalMs")

    def protocol_task(self) -> dict[str, Any]:
        """The 2025-11-25 ``Task`` object (``tasks/get``, ``tasks/list``, notifications)."""
        return self._fields(ttl="ttl", poll="pollInterval")

    def _fields(self, *, ttl: str, poll: str) -> dict[str, Any]:
        """The task as either wire spells it (they differ only in two field names)."""
        body: dict[str, Any] = {
            "taskId": self.task_id,
            "status": self.status,
            "createdAt": _iso(self.created),
            "lastUpdatedAt": _iso(self.updated),
            ttl: self.ttl_ms,
            poll: self.poll_interval_ms,
        }
        if self.status_message:
            body["statusMessage"] = self.status_message
        return body

    def detailed(self) -> dict[str, Any]:
        """The ``tasks/get`` answer: the envelope plus what the status calls for."""
        body = self.envelope()
        if self.status == "input_required":
            body["inputRequests"] = {k: r.to_wire() for k, r in self.pending.items()}
        elif self.status == "completed" and self.result is not None:
            body["result"] = self.result
        elif self.status == "failed" and self.error is not None:
            body["error"] = self.error
        return body

    async def wait_for_input(self, requests: dict[str, InputRequest]) -> dict[str, Any]:
        """Park as ``input_required`` until every request is answered by ``tasks/update``."""
        unanswered = {k: r for k, r in requests.items() if k not in self.answers}
        if unanswered:
            self.pending = dict(unanswered)
            self._answered.clear()
            self._set("input_required")
            await self._answered.wait()
        return {k: self.answers[k] for k in requests}

    def take_answers(self, responses: dict[str, Any]) -> None:
        """Record answers for pending keys; unknown or malformed ones are ignored."""
        for key, answer in responses.items():
            request = self.pending.get(key)
            if request is not None and valid_answer(request.method, answer):
                self.answers[key] = answer
                del self.pending[key]
        if not self.pending and self.status == "input_required":
            self._set("working")
            self._answered.set()
        elif responses:
            self._touch()

    def finish(
        self, result: dict[str, Any] | None = None, error: dict[str, Any] | None = None
    ) -> None:
        if self.terminal:
            return
        if error is not None:
            self.error = error
            self._set("failed", error.get("message"))
        elif self.tool_errors_fail and result is not None and result.get("isError"):
            self.result = result
            self._set("failed", "The tool call returned an error result")
        else:
            self.result = result
            self._set("completed")

    async def ask_requestor(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """2025-11-25: one request to the requestor, answered as a wire dict (an error
        answer raised). It waits in ``pending`` until a ``tasks/result`` reader, on any
        instance, sends it on its stream and hands back the answer (:meth:`reply`)."""
        key = secrets.token_urlsafe(8)
        self.pending[key] = InputRequest(method, params)
        self._touch()
        try:
            while key not in self._replies:
                news = self._news
                await news.wait()
            outcome = self._replies.pop(key)
        finally:
            self._replies.pop(key, None)
            self._offered.discard(key)
            if self.pending.pop(key, None) is not None:
                self._touch()
        if "error" in outcome:
            raise RpcError.from_wire(outcome["error"])
        answer: dict[str, Any] = outcome["result"]
        return answer

    def reply(self, key: str, outcome: dict[str, Any]) -> None:
        """The requestor's answer to pending request ``key``: ``{"result": ...}`` or
        ``{"error": ...}`` (anything else, or for no pending request, is ignored)."""
        valid = isinstance(outcome.get("result"), dict) or isinstance(outcome.get("error"), dict)
        if key in self.pending and key not in self._replies and valid:
            self._replies[key] = outcome
            self._wake()

    def offer(self, key: str) -> bool:
        """Claim pending request ``key`` for one ``tasks/result`` stream: True for the
        first, then False until it is answered (it leaves ``pending``) or withdrawn."""
        if key not in self.pending or key in self._offered:
            return False
        self._offered.add(key)
        return True

    def withdraw(self, key: str) -> None:
        """The stream that carried ``key`` ended before its answer: the next waiter
        sends it again."""
        if key in self._offered and key not in self._replies:
            self._offered.discard(key)
            self._wake()

    def waiting_for_input(self) -> None:
        """2025-11-25: the task asks the requestor something (answered as a request)."""
        if not self.terminal:
            self._set("input_required")

    def resumed(self) -> None:
        if self.status == "input_required":
            self._set("working")

    def cancel(self) -> None:
        if self.terminal:
            return
        self._set("cancelled", CANCELLED)
        self.pending.clear()
        if self.runner is not None:
            self.runner.cancel()


_RECORD_FIELDS = (
    "ttl_ms",
    "poll_interval_ms",
    "created",
    "updated",
    "status",
    "status_message",
    "result",
    "error",
    "owner",
    "tool_errors_fail",
)


def unknown_task(task_id: Any) -> RpcError:
    """What ``tasks/*`` answer for a task that is unknown, expired or someone else's."""
    return RpcError(INVALID_PARAMS, f"Unknown taskId: {task_id!r}", {"taskId": task_id})


class TaskBackend(Protocol):
    """Where tasks live, for both task wires. Tasks report every change of their own
    through ``on_change`` (a shared store writes them down there); the work itself, the
    ``runner``, stays in the process that started it."""

    async def open(
        self,
        runner: asyncio.Task[Any],
        *,
        ttl_ms: int | None = None,
        owner: str | None = None,
        tool_errors_fail: bool = False,
    ) -> Task: ...

    async def get(self, task_id: Any, owner: str | None = None) -> Task: ...

    async def list(self, owner: str | None = None) -> list[Task]: ...

    async def cancel(self, task: Task) -> None:
        """Cancel ``task`` (one that :meth:`get` gave), its runner wherever it runs."""
        ...

    async def answer(self, task: Task, responses: dict[str, Any]) -> None:
        """Hand answers to ``task``'s pending input requests to its runner."""
        ...

    async def offer(self, task: Task, key: str) -> bool:
        """Claim ``task``'s 2025-11-25 request ``key`` for the ``tasks/result`` stream
        asking, on whichever instance (:meth:`Task.offer`): True for one stream at a time,
        and never again once the answer was handed back (:meth:`reply`)."""
        ...

    async def withdraw(self, task: Task, key: str) -> None:
        """Release a claim :meth:`offer` gave: its stream ended unanswered, so another
        waiter (or the next ``tasks/result``) sends the request again."""
        ...

    async def reply(self, task: Task, key: str, outcome: dict[str, Any]) -> None:
        """Hand the requestor's answer to 2025-11-25 request ``key`` (:meth:`Task.reply`)
        to ``task``'s runner, wherever it runs."""
        ...

    async def close(self) -> None: ...


class TaskStore:
    """Tasks by id, alive for their ``ttlMs``; expired ones are dropped on access.

    With ``path`` every change is journaled to SQLite, so finished tasks stay readable
    across a server restart; a task that was still running when the process died can
    not be resumed and is reported as ``failed``.
    """

    def __init__(
        self,
        ttl_ms: int | None = 600_000,
        poll_interval_ms: int = 200,
        path: Path | str | None = None,
    ) -> None:
        self.ttl_ms = ttl_ms
        self.poll_interval_ms = poll_interval_ms
        self._tasks: dict[str, Task] = {}
        self._journal = TaskJournal(Path(path)) if path is not None else None
        if self._journal is not None:
            for task in self._journal.load():
                if not task.terminal:
                    task.finish(
                        error={
                            "code": -32603,
                            "message": "The server restarted before the task finished",
                        }
                    )
                task.on_change = self._journal.save
                self._journal.save(task)
                self._tasks[task.task_id] = task

    @property
    def journaled(self) -> bool:
        return self._journal is not None

    async def open(
        self,
        runner: asyncio.Task[Any],
        *,
        ttl_ms: int | None = None,
        owner: str | None = None,
        tool_errors_fail: bool = False,
    ) -> Task:
        """Record a new task whose work is ``runner``, already running in the background;
        a requested ``ttl_ms`` is honoured up to the store's own."""
        self._expire()
        ttl = self.ttl_ms
        if ttl_ms is not None and (ttl is None or ttl_ms < ttl):
            ttl = ttl_ms
        task = Task(
            secrets.token_urlsafe(16),
            ttl,
            self.poll_interval_ms,
            runner=runner,
            owner=owner,
            tool_errors_fail=tool_errors_fail,
        )
        if self._journal is not None:
            task.on_change = self._journal.save
            self._journal.save(task)
        self._tasks[task.task_id] = task
        return task

    async def get(self, task_id: Any, owner: str | None = None) -> Task:
        """The task, unless unknown, expired or (with ``owner``) someone else's: -32602."""
        self._expire()
        task = self._tasks.get(task_id) if isinstance(task_id, str) else None
        if task is None or (owner is not None and task.owner not in (None, owner)):
            raise unknown_task(task_id)
        return task

    async def list(self, owner: str | None = None) -> list[Task]:
        """The tasks ``owner`` may see, oldest first."""
        self._expire()
        return [t for t in self._tasks.values() if owner is None or t.owner in (None, owner)]

    async def cancel(self, task: Task) -> None:
        task.cancel()

    async def answer(self, task: Task, responses: dict[str, Any]) -> None:
        task.take_answers(responses)

    async def offer(self, task: Task, key: str) -> bool:
        return task.offer(key)

    async def withdraw(self, task: Task, key: str) -> None:
        task.withdraw(key)

    async def reply(self, task: Task, key: str, outcome: dict[str, Any]) -> None:
        task.reply(key, outcome)

    def _expire(self) -> None:
        """Delete every task past its ttl, counted from creation, whatever its status
        (tasks.mdx, TTL: receivers may delete "regardless of the task status"); one still
        running is cancelled first, so its work ends with it. Keeping it until it ends
        would let any slow or stuck call outlive the ttl cap the store enforces, which is
        what the cap exists to prevent (tasks.mdx, resource management)."""
        now = time.time()
        for task in [t for t in self._tasks.values() if t.expired(now)]:
            task.cancel()
            del self._tasks[task.task_id]
            if self._journal is not None:
                self._journal.delete(task.task_id)

    async def close(self) -> None:
        """Cancel every running task (server shutdown)."""
        for task in self._tasks.values():
            task.cancel()
        runners = [t.runner for t in self._tasks.values() if t.runner is not None]
        await asyncio.gather(*runners, return_exceptions=True)
