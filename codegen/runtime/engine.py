"""The JSON-RPC 2.0 engine shared by servers and clients: one :class:`Peer` per connection.

A peer reads decoded messages (``feed``), runs every inbound request concurrently with
its own task (``notifications/cancelled`` and per-request timeouts cancel it),
answers each one exactly once, and sends its own requests with ids, timeouts and
progress callbacks (``request``). What a request *means* is the owner's business: the
peer calls ``on_request(request_id, method, params)`` and turns the returned result or
raised :class:`RpcError` into a response.

Every outgoing message goes through one async ``send(message, related_id)`` sink; the
related id is the inbound request a message belongs to (its response, its progress, its
server→client requests), ``None`` for unrelated traffic. stdio ignores it; HTTP uses it
to pick the response stream.

Hot path: requests start in a worker, a bare asyncio task (anyio's task-group spawn
plus a cancel scope cost ~4× more per request) that runs queued requests one after
another, each in its own copy of the context, as a task per request would. Most finish
without waiting (a tool that computes its answer), so a burst of them costs one task,
not one each. A request that has to wait keeps the worker as its own task, so
``current_task()`` stays the same across its awaits (cancel scopes, timeouts), and the
rest of the queue goes to a new worker; cancellation and timeouts cancel that task. The
engine therefore needs anyio's asyncio backend (the default); everything above it is
plain anyio.
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Generator
from typing import Any

import anyio
from mcp_foundry.runtime import wire
from mcp_foundry.runtime.errors import INTERNAL_ERROR, INVALID_REQUEST, RpcError, shutting_down
from mcp_foundry.runtime.runner import UNANSWERED, Run
from mcp_foundry.runtime.transport import Sink
from mcp_foundry.runtime.wire import Message, RequestId

log = logging.getLogger("mcp_foundry.runtime")

RequestHandler = Callable[[RequestId, str, "dict[str, Any] | None"], Awaitable[dict[str, Any]]]
NotificationHandler = Callable[[str, "dict[str, Any] | None"], Awaitable[None]]
ProgressCallback = Callable[[dict[str, Any]], Any]


class ConnectionClosed(RpcError):
    """Raised to callers still waiting for a response when the connection ends."""

    def __init__(self, reason: str = "connection closed") -> None:
        super().__init__(INTERNAL_ERROR, reason)


class RequestTimeout(TimeoutError):
    """A request we sent got no response in time; the peer was told to cancel it."""


class _Pending:
    """One outbound request waiting for its response."""

    __slots__ = ("done", "result", "error", "on_progress")

    def __init__(self, on_progress: ProgressCallback | None) -> None:
        self.done = anyio.Event()
        self.result: dict[str, Any] | None = None
        self.error: RpcError | None = None
        self.on_progress = on_progress


class _Batch:
    """Collects the answers to one JSON-RPC batch and sends them as one array."""

    __slots__ = ("peer", "answers", "waiting")

    def __init__(self, peer: Peer) -> None:
        self.peer = peer
        self.answers: list[Message] = []
        self.waiting = 1  # the feeding loop itself, released by ``finish``

    async def reply(self, message: Message | None, _related: RequestId | None) -> None:
        """Called exactly once per batched request; ``None`` when it gets no answer."""
        if message is not None:
            self.answers.append(message)
        await self.finish()

    async def finish(self) -> None:
        self.waiting -= 1
        if self.waiting == 0 and self.answers:
            await self.peer.send(self.answers, None)


class Peer:
    """One JSON-RPC connection: inbound dispatch, outbound requests, cancellation, drain."""

    def __init__(
        self,
        send: Sink,
        on_request: RequestHandler,
        on_notification: NotificationHandler,
        *,
        handler_timeout: float | None = None,
        batching: Callable[[], bool] = lambda: False,
    ) -> None:
        self.send = send
        self._on_request = on_request
        self._on_notification = on_notification
        self.handler_timeout = handler_timeout
        self._batching = batching
        self._inflight: dict[RequestId, Run] = {}
        self._pending: dict[RequestId, _Pending] = {}
        self._progress: dict[str | int, _Pending] = {}
        self._ids = itertools.count(1)
        self.id_prefix: str | None = None
        """Set when several instances serve one connection (a shared legacy session): our
        request ids become ``"<prefix><n>"``, unique across them and telling which
        instance waits for the answer."""
        self._busy = 0
        self._idle: asyncio.Event | None = None
        """Made only while someone waits for the in-flight requests to finish."""
        self.max_in_flight = 4096
        self._room: anyio.Event | None = None
        self._tasks: set[Any] = set()
        self._queue: deque[tuple[Run, Coroutine[Any, Any, None], contextvars.Context]] = deque()
        """Requests accepted and not yet started, for the worker (``_work``)."""
        self._working = False
        """A worker is scheduled or running through ``_queue``."""
        self._loop: Any = None
        self.closed = False
        self.refusing = False
        """Stopping: new requests are answered with an error instead of being run."""

    async def __aenter__(self) -> Peer:
        self._loop = asyncio.get_running_loop()
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.close()

    # ---- inbound -------------------------------------------------------------------

    async def feed_bytes(self, data: bytes) -> None:
        """One framed message as received (a stdio line, an HTTP body)."""
        try:
            message = wire.decode(data)
        except RpcError as exc:
            await self.send(wire.error_response(wire.refused_id(exc), exc), None)
            return
        if isinstance(message, list):
            await self._feed_batch(message)
            return
        refused = self._accept(message, None)  # ``feed``, without one more coroutine
        if refused is not None:
            await self.send(*refused)

    async def feed(self, message: Any) -> None:
        """Handle one decoded message or batch; requests run concurrently."""
        if isinstance(message, list):
            await self._feed_batch(message)
            return
        refused = self._accept(message, None)
        if refused is not None:
            await self.send(*refused)

    async def run_request(self, message: Message) -> None:
        """Handle one request (envelope already checked) in the caller's own task: HTTP
        answers a POST in the task that read it, saving a task and a hand-off. Timeouts,
        cancellation and drain treat it like any other request."""
        request_id = message["id"]
        entry = self._admit(request_id, message["method"])
        if isinstance(entry, Run):
            await self._run(entry, request_id, message["method"], message.get("params"), None)
        else:
            await self.send(entry, request_id)

    def _accept(self, message: Any, reply: Sink | None) -> tuple[Message, RequestId | None] | None:
        """Take one message without waiting: a request is queued for a worker (its answer
        goes to ``reply``, a batch's collector, else to the sink), a notification or a
        response is handled. Returns the answer due at once, with the id it relates to:
        a malformed message's error, or a refused request's."""
        try:
            kind = wire.check_envelope(message)
        except RpcError as exc:
            return wire.error_response(wire.readable_id(message), exc), None
        if kind == "request":
            request_id = message["id"]
            method = message["method"]
            entry = self._admit(request_id, method)
            if not isinstance(entry, Run):
                return entry, request_id
            run = self._run(entry, request_id, method, message.get("params"), reply)
            self._queue.append((entry, run, contextvars.copy_context()))
            if not self._working:
                self._working = True
                self._tasks.add(self._loop.create_task(self._work()))
        elif kind == "notification":
            self._accept_notification(message["method"], message.get("params"))
        else:
            self._accept_response(message)
        return None

    def _admit(self, request_id: RequestId, method: str) -> Run | Message:
        """Track a request as in flight, or the error it gets instead of running: we are
        stopping, or its id is taken."""
        if self.refusing:
            return wire.error_response(request_id, shutting_down(accepted=False))
        if request_id in self._inflight:
            duplicate = RpcError(INVALID_REQUEST, f"Invalid Request: id {request_id!r} is in use")
            return wire.error_response(request_id, duplicate)
        entry = self._inflight[request_id] = Run(method)
        self._busy += 1
        return entry

    async def _feed_batch(self, batch: list[Any]) -> None:
        if not self._batching():
            refusal = RpcError(INVALID_REQUEST, "Invalid Request: batches are not allowed here")
            await self.send(wire.error_response(None, refusal), None)
            return
        if not batch:
            await self.send(
                wire.error_response(
                    None, RpcError(INVALID_REQUEST, "Invalid Request: empty batch")
                ),
                None,
            )
            return
        collector = _Batch(self)
        for item in batch:
            try:
                kind = wire.check_envelope(item)
            except RpcError as exc:
                collector.answers.append(wire.error_response(wire.readable_id(item), exc))
                continue
            if kind == "request":
                collector.waiting += 1
            refused = self._accept(item, collector.reply)
            if refused is not None:
                await collector.reply(*refused)
        await collector.finish()

    async def _run(
        self,
        entry: Run,
        request_id: RequestId,
        method: str,
        params: dict[str, Any] | None,
        reply: Sink | None,
    ) -> None:
        """Answer one request: through ``reply`` exactly once (a batch counts on it), or
        straight to the sink when there is an answer (none after the peer cancelled)."""

        async def call() -> Message:
            return wire.result_response(
                request_id, await self._on_request(request_id, method, params)
            )

        try:
            try:
                response = await entry.respond(request_id, call, self.handler_timeout)
            finally:
                self._inflight.pop(request_id, None)
            if reply is not None:
                await reply(response, request_id)
            elif response is not None:
                await self.send(response, request_id)
        finally:
            self._leave_busy()

    async def _work(self) -> None:
        """Start the queued requests in this task, each in its own context, until one has
        to wait: this task is then that request's own (what it awaits runs here), and a
        new worker takes the rest of the queue."""
        task = asyncio.current_task()
        assert task is not None
        queue = self._queue
        serving = True  # this worker answers for the queue (``_working``)
        try:
            while queue:
                entry, run, context = queue.popleft()
                entry.task = task
                try:
                    waiting = context.run(run.send, None)
                except StopIteration:
                    if task.cancelling():
                        break  # it cancelled its own task and returned: so ends its task
                    continue
                except asyncio.CancelledError:
                    continue  # the request ended cancelled, as its own task would
                except Exception:
                    log.exception("a request failed outside its handler")
                    continue
                serving = False
                self._pass_queue()
                await _Resumed(run, waiting, context)
                return
        finally:
            self._tasks.discard(task)
            if serving:
                self._pass_queue()

    def _pass_queue(self) -> None:
        """The queue goes to a new worker, if it holds anything."""
        if self._queue:
            self._tasks.add(self._loop.create_task(self._work()))
        else:
            self._working = False

    def _accept_notification(self, method: str, params: dict[str, Any] | None) -> None:
        if method == "notifications/cancelled":
            request_id = (params or {}).get("requestId")
            entry = self._inflight.get(request_id) if isinstance(request_id, (str, int)) else None
            if entry is not None:
                log.info("peer cancelled request %r: %s", request_id, (params or {}).get("reason"))
                entry.stop(UNANSWERED)
            return
        if method == "notifications/progress" and params is not None:
            pending = self._progress.get(params.get("progressToken"))  # type: ignore[arg-type]
            if pending is not None and pending.on_progress is not None:
                pending.on_progress(params)
        self._spawn(self._notify(method, params))

    async def _notify(self, method: str, params: dict[str, Any] | None) -> None:
        try:
            await self._on_notification(method, params)
        except Exception:
            log.exception("notification handler for %s failed", method)

    def _accept_response(self, message: Message) -> None:
        pending = self._pending.pop(message["id"], None)
        if pending is None:
            log.warning("dropping response to unknown request id %r", message["id"])
            return
        if "error" in message:
            error = message["error"]
            pending.error = RpcError.from_wire(error if isinstance(error, dict) else {})
        else:
            result = message["result"]
            pending.result = result if isinstance(result, dict) else {}
        pending.done.set()

    # ---- outbound ------------------------------------------------------------------

    async def request(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        timeout: float | None = None,
        related: RequestId | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> dict[str, Any]:
        """Send a request and wait for its result; raise :class:`RpcError` on an error.

        On timeout or when the caller is cancelled, the peer gets
        ``notifications/cancelled`` for it and :class:`RequestTimeout` is raised.
        """
        if self.closed:
            raise ConnectionClosed()
        request_id: RequestId = next(self._ids)
        if self.id_prefix is not None:
            request_id = f"{self.id_prefix}{request_id}"
        pending = _Pending(on_progress)
        if on_progress is not None:
            params = dict(params or {})
            params["_meta"] = {**params.get("_meta", {}), "progressToken": request_id}
            self._progress[request_id] = pending
        self._pending[request_id] = pending
        try:
            with anyio.move_on_after(timeout) as scope:
                await self.send(wire.request(request_id, method, params), related)
                await pending.done.wait()
            if scope.cancelled_caught:
                await self._tell_cancelled(request_id, f"timed out after {timeout}s", related)
                raise RequestTimeout(f"{method} (id {request_id}) timed out after {timeout}s")
        except anyio.get_cancelled_exc_class():
            with anyio.CancelScope(shield=True):
                if not pending.done.is_set():
                    await self._tell_cancelled(request_id, "cancelled by the caller", related)
            raise
        finally:
            self._pending.pop(request_id, None)
            self._progress.pop(request_id, None)
        if pending.error is not None:
            raise pending.error
        assert pending.result is not None
        return pending.result

    async def notify(
        self, method: str, params: dict[str, Any] | None = None, *, related: RequestId | None = None
    ) -> None:
        await self.send(wire.notification(method, params), related)

    async def _tell_cancelled(
        self, request_id: RequestId, reason: str, related: RequestId | None
    ) -> None:
        if not self.closed:
            await self.notify(
                "notifications/cancelled",
                {"requestId": request_id, "reason": reason},
                related=related,
            )

    # ---- lifecycle -----------------------------------------------------------------

    def _spawn(self, coro: Any) -> asyncio.Task[None]:
        task: asyncio.Task[None] = self._loop.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _leave_busy(self) -> None:
        self._busy -= 1
        if self._busy == 0 and self._idle is not None:
            self._idle.set()
            self._idle = None
        if self._room is not None and self._busy < self.max_in_flight // 2:
            self._room.set()
            self._room = None

    def in_flight_full(self) -> bool:
        return self._busy >= self.max_in_flight

    async def wait_for_room(self) -> None:
        """Backpressure for readers: return once fewer than ``max_in_flight`` inbound
        requests are running (a client pipelining without bound cannot exhaust memory)."""
        while self._busy >= self.max_in_flight:
            if self._room is None:
                self._room = anyio.Event()
            await self._room.wait()

    def in_flight_ids(self, method: str) -> list[RequestId]:
        return [
            request_id for request_id, entry in self._inflight.items() if entry.method == method
        ]

    def stop_request(self, request_id: RequestId, answer: dict[str, Any]) -> None:
        """End one in-flight request now, answering it with the result ``answer`` (how a
        server closes a ``subscriptions/listen`` stream on shutdown)."""
        entry = self._inflight.get(request_id)
        if entry is not None:
            entry.stop(answer)

    async def drain(self, grace: float | None = None) -> None:
        """Wait until every accepted request is answered; after ``grace`` seconds cancel
        the stragglers, which then answer with a shutdown error."""
        with anyio.move_on_after(grace):
            await self._wait_idle()
        self.stop_all()
        await self._wait_idle()

    def stop_all(self) -> None:
        """Cancel every in-flight request now; each answers with a shutdown error."""
        for entry in list(self._inflight.values()):
            entry.stop(shutting_down(accepted=True))

    @property
    def in_flight(self) -> int:
        """Inbound requests accepted and not yet answered."""
        return self._busy

    async def _wait_idle(self) -> None:
        if self._busy:
            if self._idle is None:
                self._idle = asyncio.Event()
            await self._idle.wait()

    def fail_pending(self, reason: str = "connection closed") -> None:
        """Fail every outbound request still waiting (the peer can no longer answer)."""
        for pending in list(self._pending.values()):
            if not pending.done.is_set():
                pending.error = ConnectionClosed(reason)
                pending.done.set()
        self._pending.clear()

    async def close(self) -> None:
        self.closed = True
        self.fail_pending()
        for task in list(self._tasks):
            task.cancel()
        self._tasks.clear()
        while self._queue:
            self._queue.popleft()[1].close()  # never started: nothing to clean up
        self._working = False


class _Resumed:
    """Awaiting it runs the rest of a request coroutine whose first step already ran (it
    waits for ``waiting``), each step in the request's own context, as its task would."""

    __slots__ = ("run", "waiting", "context")

    def __init__(
        self, run: Coroutine[Any, Any, None], waiting: Any, context: contextvars.Context
    ) -> None:
        self.run = run
        self.waiting = waiting
        self.context = context

    def __await__(self) -> Generator[Any, Any, None]:
        run, context, waiting = self.run, self.context, self.waiting
        while True:
            try:
                sent = yield waiting
            except GeneratorExit:
                context.run(run.close)
                raise
            except BaseException as exc:  # the task delivers it: a cancellation, say
                step: Callable[[Any], Any] = run.throw
                value: Any = exc
            else:
                step, value = run.send, sent
            try:
                waiting = context.run(step, value)
            except StopIteration:
                return
