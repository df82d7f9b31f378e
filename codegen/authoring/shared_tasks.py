"""Tasks in the shared store: started on one instance, read and steered through any.

The work (the task's runner) stays on the instance that started it, the *owner*; the
store holds what the other instances need, under keys of their own:

- ``mcp:task:<id>``: the record (:meth:`Task.record`), rewritten by the owner on every
  change; it expires with the task's ttl, counted from its creation.
- ``mcp:task:<id>:end``: the terminal outcome, claimed once (``put_new``) by whoever
  ends the task first: the owner when the work ends, any instance that cancels it, a
  reader that finds the owner's lease lapsed. It outranks the record, so every
  instance reports the same outcome, and the owner adopts it if it lost the claim.
- ``mcp:task:<id>:lease``: refreshed by the owner while the task runs; a task whose
  lease lapsed (its instance died) reads as ``failed``, never ``working`` forever.
- ``mcp:task:<id>:inbox``: answers to its input requests that arrived elsewhere (for
  2025-11-25 tasks: the answers a ``tasks/result`` reader got on its stream).
- ``mcp:task:<id>:offer:<key>``: which ``tasks/result`` stream carries the task's
  2025-11-25 request ``key`` (``put_new``: one at a time, on any instance). The instance
  holding it renews it every lease round, deletes it when that stream ends unanswered,
  and marks it answered (for the task's life: never sent again) once the answer is in.
- the ``mcp:tasks`` channel: ``changed`` (an end was claimed, the task asks its
  requestor something, or a request was withdrawn) wakes ``tasks/result`` waiters; ``cancel``
  and ``inbox`` tell the owner to act. The owner's lease round re-checks the end and
  the inbox, so a lost message delays a cancellation or an answer, never loses it.
- indexes ``mcp:tasks:owner:<owner>`` (and ``mcp:tasks:all``) for ``tasks/list``.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import AsyncGenerator, Coroutine
from contextlib import aclosing
from typing import Any

import orjson
from mcp_foundry.runtime.store import Store
from mcp_foundry.runtime.store.follow import follow

from .errors import INTERNAL_ERROR
from .inputs import valid_answer
from .tasks import CANCELLED, Task, TaskStore, unknown_task

log = logging.getLogger("mcp_foundry.authoring")

CHANNEL = "tasks"
_ALL = "tasks:all"
_UNOWNED = "tasks:unowned"
_MIN_TTL_S = 1.0
"""The shortest life a record is given (a task past its ttl is dropped instead)."""
UNLIMITED_TTL_MS = 86_400_000
"""How long a shared task lives where the in-memory store set no limit (everything in the
store expires)."""
_INBOX_LEN = 64
_RETRY_S = 1.0
_TAKEN_POLL_S = 0.05
"""How often an answer posted for a task elsewhere re-reads it, between channel news."""
LAPSED = {
    "code": INTERNAL_ERROR,
    "message": "The server instance running the task stopped before it finished",
}
"""The error of a task whose owner's lease lapsed (or whose owner shut down)."""


def _key(task_id: str, part: str = "") -> str:
    return f"task:{task_id}{part}"


class RemoteTask(Task):
    """A task whose work runs on another instance, as the store last showed it. It is
    steered through the backend (:meth:`SharedTaskStore.cancel`, ``answer``), which
    writes to the store and tells the owner; a plain ``cancel()`` does so unawaited."""

    backend: SharedTaskStore | None = None

    async def settled(self) -> None:
        """Wait (on the channel, re-reading at least once per lease) until terminal."""
        async with aclosing(self.updates()) as updates:
            async for _ in updates:
                pass

    async def updates(self) -> AsyncGenerator[None, None]:
        """Yields the task as the store shows it now and after each change heard (or
        a lease later), until terminal; a lapsed owner's task ends ``failed``."""
        backend = self.backend
        assert backend is not None
        while True:
            with backend.watching(self.task_id) as changed:
                fresh = await backend.view(self.task_id)
                if fresh is None:
                    raise unknown_task(self.task_id)
                self.adopt(fresh)
                yield
                if self.terminal:
                    return
                try:
                    await asyncio.wait_for(changed.wait(), backend.lease_s)
                except TimeoutError:
                    pass

    def adopt(self, other: Task) -> None:
        for name in ("updated", "status", "status_message", "result", "error", "pending"):
            setattr(self, name, getattr(other, name))

    def cancel(self) -> None:
        """For callers that cannot wait: the cancellation is claimed in the background
        (:meth:`SharedTaskStore.cancel` waits until it is written)."""
        backend = self.backend
        assert backend is not None
        if not self.terminal:
            self.status, self.status_message = "cancelled", CANCELLED
            backend.in_background(backend.cancel_remote(self))

    def take_answers(self, responses: dict[str, Any]) -> None:
        raise TypeError("a remote task is answered through its backend")


class SharedTaskStore:
    """A :class:`~.tasks.TaskBackend` over a shared ``runtime.store``.

    Tasks live ``ttl_ms`` at most from creation (a requested ttl is honoured up to it),
    whatever their status. ``lease_s`` bounds how long a task of a dead instance can
    still read as running.
    """

    def __init__(
        self,
        store: Store,
        ttl_ms: int = 600_000,
        poll_interval_ms: int = 200,
        lease_s: float = 15.0,
    ) -> None:
        self.store = store
        self.ttl_ms = ttl_ms
        self.poll_interval_ms = poll_interval_ms
        self.lease_s = lease_s
        self._local: dict[str, Task] = {}
        """Tasks whose runner is here, until their end is written."""
        self._inbox_at: dict[str, str] = {}
        self._dirty: set[str] = set()
        self._writers: dict[str, asyncio.Task[None]] = {}
        self._watchers: dict[str, set[asyncio.Event]] = {}
        self._background: list[asyncio.Task[None]] = []
        self._chores: set[asyncio.Task[None]] = set()
        self._offers: dict[tuple[str, str], Task] = {}
        """Requests whose offer claim this instance holds (renewed every lease round)."""
        self._heard = asyncio.Event()
        """Set once the channel is subscribed."""

    @classmethod
    def replacing(cls, local: TaskStore, store: Store) -> SharedTaskStore:
        """The shared backend for an app configured with the in-memory ``local``: its
        ttl (a day at most, where it had no limit) and poll interval."""
        if local.journaled:
            log.warning("tasks are kept in the shared store; the task journal is not used")
        ttl_ms = local.ttl_ms if local.ttl_ms is not None else UNLIMITED_TTL_MS
        return cls(store, ttl_ms=ttl_ms, poll_interval_ms=local.poll_interval_ms)

    # ---- the TaskBackend interface -----------------------------------------------------

    async def open(
        self,
        runner: asyncio.Task[Any],
        *,
        ttl_ms: int | None = None,
        owner: str | None = None,
        tool_errors_fail: bool = False,
    ) -> Task:
        """Record a new task run here by ``runner``: lease, record and indexes are
        written before this returns, so any instance resolves it at once."""
        await self._start()
        ttl = self.ttl_ms if ttl_ms is None else min(ttl_ms, self.ttl_ms)
        task = Task(
            secrets.token_urlsafe(16),
            ttl,
            self.poll_interval_ms,
            runner=runner,
            owner=owner,
            tool_errors_fail=tool_errors_fail,
        )
        ttl_s = max(ttl / 1000, _MIN_TTL_S)
        await self.store.put(_key(task.task_id, ":lease"), b"1", ttl_s=self.lease_s)
        await self.store.put(_key(task.task_id), orjson.dumps(task.record()), ttl_s=ttl_s)
        for index in (_ALL, f"tasks:owner:{owner}" if owner is not None else _UNOWNED):
            await self.store.index_add(index, task.task_id, ttl_s=ttl_s)
        task.on_change = self._changed
        self._local[task.task_id] = task
        return task

    async def get(self, task_id: Any, owner: str | None = None) -> Task:
        """The task (this instance's own object while it runs here), unless unknown,
        expired or (with ``owner``) someone else's: -32602."""
        await self._start()
        task: Task | None = None
        if isinstance(task_id, str):
            task = self._local.get(task_id) or await self.view(task_id)
        if task is None or (owner is not None and task.owner not in (None, owner)):
            raise unknown_task(task_id)
        return task

    async def list(self, owner: str | None = None) -> list[Task]:
        """The tasks ``owner`` may see, oldest first."""
        await self._start()
        if owner is None:
            ids = set(await self.store.index_members(_ALL))
        else:
            ids = set(await self.store.index_members(f"tasks:owner:{owner}"))
            ids.update(await self.store.index_members(_UNOWNED))
        found = [self._local.get(i) or await self.view(i) for i in ids]
        tasks = [t for t in found if t is not None and (owner is None or t.owner in (None, owner))]
        return sorted(tasks, key=lambda t: t.created)

    async def cancel(self, task: Task) -> None:
        """Here: cancel the runner. Elsewhere: claim the end as cancelled and tell the
        owner (which cancels its runner). Written before this returns."""
        if isinstance(task, RemoteTask):
            await self.cancel_remote(task)
        else:
            task.cancel()
            await self._flush(task)

    async def cancel_remote(self, task: RemoteTask) -> None:
        if await self._claim_end(task, {"status": "cancelled", "status_message": CANCELLED}):
            await self._tell("cancel", task.task_id)
        fresh = await self.view(task.task_id)
        if fresh is not None:
            task.adopt(fresh)

    def in_background(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` on its own (kept until done; a failure is logged)."""
        job = asyncio.get_running_loop().create_task(work)
        self._chores.add(job)
        job.add_done_callback(self._chore_done)

    def _chore_done(self, job: asyncio.Task[None]) -> None:
        self._chores.discard(job)
        if not job.cancelled() and job.exception() is not None:
            log.warning("tasks: background store work failed", exc_info=job.exception())

    async def answer(self, task: Task, responses: dict[str, Any]) -> None:
        """Answers for pending requests (unknown or malformed ones are ignored); those
        for a task running elsewhere go to its inbox, then the owner is told."""
        if not isinstance(task, RemoteTask):
            task.take_answers(responses)
            await self._flush(task)
            return
        valid = {
            key: answer
            for key, answer in responses.items()
            if key in task.pending and valid_answer(task.pending[key].method, answer)
        }
        if not valid or task.terminal:
            return
        await self._post(task, {"answers": valid})
        await self._taken(task.task_id, set(valid))

    async def offer(self, task: Task, key: str) -> bool:
        """Claim request ``key`` for a stream here (renewed by the lease round)."""
        if key not in task.pending or task.terminal:
            return False
        claimed = await self.store.put_new(_offer_key(task, key), b"sending", ttl_s=self.lease_s)
        if claimed:
            self._offers[task.task_id, key] = task
        return claimed

    async def withdraw(self, task: Task, key: str) -> None:
        """Release a claim held here, then wake the waiters on every instance."""
        if self._offers.pop((task.task_id, key), None) is None:
            return
        await self.store.delete(_offer_key(task, key))
        await self._tell("changed", task.task_id)

    async def reply(self, task: Task, key: str, outcome: dict[str, Any]) -> None:
        """The requestor's answer to a 2025-11-25 request; for a task running elsewhere
        it goes to the task's inbox, then the owner is told. Its offer stays claimed, as
        answered, so no waiter sends it again."""
        if not isinstance(task, RemoteTask):
            task.reply(key, outcome)
        elif key in task.pending and not task.terminal:
            await self._post(task, {"replies": {key: outcome}})
        if self._offers.pop((task.task_id, key), None) is not None:
            await self.store.put(_offer_key(task, key), b"answered", ttl_s=_remaining_s(task))

    async def _post(self, task: Task, entry: dict[str, Any]) -> None:
        await self.store.append(
            _key(task.task_id, ":inbox"),
            orjson.dumps(entry),
            max_len=_INBOX_LEN,
            ttl_s=_remaining_s(task),
        )
        await self._tell("inbox", task.task_id)

    async def _taken(self, task_id: str, keys: set[str]) -> None:
        """Return once the owner has taken the answers to ``keys`` (they left the task's
        pending requests in the store) or the task ended: the client's next read, on any
        instance, then shows it. Bounded by a lease, after which a silent owner's task
        reads ``failed``; a change with requests still pending is heard on the channel,
        the others are polled for."""
        deadline = time.monotonic() + self.lease_s
        while True:
            with self.watching(task_id) as changed:
                fresh = await self.view(task_id)
                if fresh is None or fresh.terminal or not keys & fresh.pending.keys():
                    return
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                try:
                    await asyncio.wait_for(changed.wait(), min(left, _TAKEN_POLL_S))
                except TimeoutError:
                    pass

    async def close(self) -> None:
        """Shutdown: tasks still running here fail now (rather than when their lease
        lapses) and their runners are cancelled."""
        for task in list(self._local.values()):
            if not task.terminal:
                task.finish(error=LAPSED)
            if task.runner is not None:
                task.runner.cancel()
        writers = list(self._writers.values())
        if writers:
            await asyncio.wait(writers, timeout=5.0)
        for job in self._background:
            job.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        self._background.clear()

    # ---- reading the store -------------------------------------------------------------

    async def view(self, task_id: str) -> RemoteTask | None:
        """The task as the store shows it (its end outranking its record); None when
        unknown or expired. A running task whose owner's lease lapsed ends ``failed``."""
        raw = await self.store.get(_key(task_id))
        if raw is None:
            return None
        record = orjson.loads(raw)
        task = RemoteTask.from_record(task_id, record)
        end = await self.store.get(_key(task_id, ":end"))
        if end is None and not task.terminal:
            if await self.store.get(_key(task_id, ":lease")) is not None:
                task.backend = self
                return task
            await self._claim_end(task, {"status": "failed", "error": LAPSED})
            end = await self.store.get(_key(task_id, ":end"))
        if end is not None:
            task = RemoteTask.from_record(task_id, {**record, **orjson.loads(end)})
        task.backend = self
        return task

    def watching(self, task_id: str) -> _Watch:
        """``with backend.watching(id) as changed:`` an event set when ``id`` changes."""
        return _Watch(self._watchers, task_id)

    async def _claim_end(self, task: Task, end: dict[str, Any]) -> bool:
        """Claim ``task``'s terminal outcome; False when another claim came first."""
        outcome = {
            "status": end["status"],
            "status_message": end.get("status_message") or (end.get("error") or {}).get("message"),
            "result": end.get("result"),
            "error": end.get("error"),
            "updated": time.time(),
            "pending": {},
        }
        claimed = await self.store.put_new(
            _key(task.task_id, ":end"), orjson.dumps(outcome), ttl_s=_remaining_s(task)
        )
        if claimed:
            await self._tell("changed", task.task_id)
        return claimed

    async def _tell(self, op: str, task_id: str) -> None:
        await self.store.publish(CHANNEL, orjson.dumps({"op": op, "id": task_id}))

    # ---- writing what happens here -----------------------------------------------------

    def _changed(self, task: Task) -> None:
        """Every change of a task running here (``on_change``): written in order by one
        writer per task, the latest state winning."""
        self._dirty.add(task.task_id)
        if task.task_id not in self._writers:
            writer = asyncio.get_running_loop().create_task(self._write(task))
            self._writers[task.task_id] = writer

    async def _flush(self, task: Task) -> None:
        """Wait until what happened to ``task`` so far is in the store."""
        writer = self._writers.get(task.task_id)
        if writer is not None:
            await asyncio.shield(writer)

    async def _write(self, task: Task) -> None:
        try:
            while task.task_id in self._dirty:
                self._dirty.discard(task.task_id)
                try:
                    await self._persist(task)
                except Exception:
                    if time.time() >= _expiry(task):
                        break
                    log.warning("task %s: cannot write it to the store; retrying", task.task_id)
                    self._dirty.add(task.task_id)
                    await asyncio.sleep(_RETRY_S)
        finally:
            self._dirty.discard(task.task_id)
            self._writers.pop(task.task_id, None)

    async def _persist(self, task: Task) -> None:
        if time.time() >= _expiry(task):
            self._forget(task)
            return
        if task.terminal:
            end = {
                "status": task.status,
                "status_message": task.status_message,
                "result": task.result,
                "error": task.error,
            }
            if not await self._claim_end(task, end):
                await self._lost_end(task)
        await self.store.put(
            _key(task.task_id), orjson.dumps(task.record()), ttl_s=_remaining_s(task)
        )
        if task.terminal:
            self._forget(task)
            await self.store.delete(_key(task.task_id, ":lease"))
        elif task.pending:
            await self._tell("changed", task.task_id)  # readers elsewhere deliver requests

    async def _lost_end(self, task: Task) -> None:
        """Another instance ended ``task`` first (cancelled it, or failed it when the
        lease lapsed): this instance reports that outcome too."""
        raw = await self.store.get(_key(task.task_id, ":end"))
        if raw is None:
            return
        end = orjson.loads(raw)
        task.status = end["status"]
        task.status_message = end.get("status_message")
        task.result = end.get("result")
        task.error = end.get("error")
        task.pending.clear()

    async def _end_from_store(self, task: Task) -> None:
        """A task running here that another instance ended: stop its work."""
        raw = await self.store.get(_key(task.task_id, ":end"))
        if raw is None or task.terminal:
            return
        end = orjson.loads(raw)
        if end.get("status") == "cancelled":
            task.cancel()
        else:
            task.finish(error=end.get("error") or LAPSED)
            if task.runner is not None:
                task.runner.cancel()

    async def _take_inbox(self, task: Task) -> None:
        """Answers that arrived on other instances, handed to the waiting task."""
        after = self._inbox_at.get(task.task_id)
        for position, payload in await self.store.read(_key(task.task_id, ":inbox"), after):
            self._inbox_at[task.task_id] = position
            entry = orjson.loads(payload)
            if not isinstance(entry, dict):
                continue
            answers, replies = entry.get("answers"), entry.get("replies")
            if isinstance(answers, dict):
                task.take_answers(answers)
            if isinstance(replies, dict):
                for key, outcome in replies.items():
                    if isinstance(outcome, dict):
                        task.reply(key, outcome)

    def _forget(self, task: Task) -> None:
        self._local.pop(task.task_id, None)
        self._inbox_at.pop(task.task_id, None)
        if not task.terminal and task.runner is not None:
            task.runner.cancel()  # past its ttl: nobody can read its outcome

    # ---- background: the channel and the lease round -----------------------------------

    async def _start(self) -> None:
        """Start listening and renewing leases on first use (again, should either have
        stopped); wait (briefly, if the store is down) until the channel is subscribed."""
        if not self._background or any(job.done() for job in self._background):
            for job in self._background:
                job.cancel()
            loop = asyncio.get_running_loop()
            self._background = [
                loop.create_task(
                    follow(self.store, CHANNEL, self._hear, self._heard, "tasks channel"),
                    name="tasks channel",
                ),
                loop.create_task(self._renew(), name="task leases"),
            ]
        if not self._heard.is_set():
            try:
                await asyncio.wait_for(self._heard.wait(), 5.0)
            except TimeoutError:
                log.warning("tasks: the store channel is not subscribed yet")

    async def _hear(self, raw: bytes) -> None:
        try:
            message = orjson.loads(raw)
            op, task_id = message["op"], message["id"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            log.warning("tasks channel: ignoring a malformed message")
            return
        task = self._local.get(task_id) if isinstance(task_id, str) else None
        if op == "changed":
            for event in self._watchers.get(task_id, ()):
                event.set()
            if task is not None:
                task.nudge()  # its readers here look again (a request was withdrawn)
            return
        if task is None:
            return
        if op == "cancel":
            await self._end_from_store(task)
        elif op == "inbox":
            await self._take_inbox(task)

    async def _renew(self) -> None:
        """Every third of a lease: renew the leases of the tasks running here and the
        offers held here, and catch up on what the channel may have dropped (an end
        claimed elsewhere, answers, a withdrawn or lapsed offer)."""
        while True:
            await asyncio.sleep(self.lease_s / 3)
            for task in list(self._local.values()):
                if task.terminal:
                    continue
                try:
                    await self._renew_one(task)
                except Exception:
                    log.warning("task %s: lease round failed", task.task_id, exc_info=True)
            for (task_id, key), task in list(self._offers.items()):
                try:
                    await self._keep_offer(task, key)
                except Exception:
                    log.warning("task %s: offer not renewed", task_id, exc_info=True)

    async def _keep_offer(self, task: Task, key: str) -> None:
        """Renew a claim held here; one that lapsed meanwhile (this instance stalled for a
        lease) is claimed again unless another stream took it."""
        offer = _offer_key(task, key)
        if not await self.store.touch(offer, ttl_s=self.lease_s):
            await self.store.put_new(offer, b"sending", ttl_s=self.lease_s)

    async def _renew_one(self, task: Task) -> None:
        if time.time() >= _expiry(task):
            self._forget(task)
            return
        lease = _key(task.task_id, ":lease")
        if not await self.store.touch(lease, ttl_s=self.lease_s):
            await self.store.put(lease, b"1", ttl_s=self.lease_s)
        if await self.store.get(_key(task.task_id, ":end")) is not None:
            await self._end_from_store(task)
        elif task.status == "input_required":
            await self._take_inbox(task)
            task.nudge()  # its readers here try again the offers that lapsed elsewhere


class _Watch:
    """Registers an event for one task's ``changed`` messages while in the block."""

    def __init__(self, watchers: dict[str, set[asyncio.Event]], task_id: str) -> None:
        self._watchers = watchers
        self._task_id = task_id
        self._event = asyncio.Event()

    def __enter__(self) -> asyncio.Event:
        self._watchers.setdefault(self._task_id, set()).add(self._event)
        return self._event

    def __exit__(self, *_: object) -> None:
        events = self._watchers.get(self._task_id)
        if events is not None:
            events.discard(self._event)
            if not events:
                del self._watchers[self._task_id]


def _offer_key(task: Task, key: str) -> str:
    return _key(task.task_id, f":offer:{key}")


def _expiry(task: Task) -> float:
    return task.created + (task.ttl_ms or 0) / 1000


def _remaining_s(task: Task) -> float:
    return max(_expiry(task) - time.time(), _MIN_TTL_S)
