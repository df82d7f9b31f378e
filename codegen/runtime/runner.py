"""One inbound request run, the same on every transport and in both eras.

The handler runs in the caller's task. A deadline, the peer or the server may stop it;
the reason it was stopped decides the answer: an error (timeout, shutdown), a result (a
server-ended subscription), or none at all (the peer cancelled or hung up).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from mcp_foundry.runtime import wire
from mcp_foundry.runtime.errors import INTERNAL_ERROR, RpcError
from mcp_foundry.runtime.transport import LONG_LIVED
from mcp_foundry.runtime.wire import Message, RequestId

log = logging.getLogger("mcp_foundry.runtime")

UNANSWERED = object()
"""Stop reason: the peer gave up on the request (cancelled it, or hung up)."""
Reason = RpcError | dict[str, Any] | object
"""Why a run was stopped: an error to answer, a result to answer, or :data:`UNANSWERED`."""


def timed_out(seconds: float) -> RpcError:
    """The answer to a request whose handler ran past the server's request timeout."""
    return RpcError(
        INTERNAL_ERROR, f"Request timed out after {seconds}s; the handler was cancelled"
    )


class Run:
    """One request being handled: its task, its deadline and why it was stopped."""

    __slots__ = ("method", "task", "started", "finished", "reason")

    def __init__(self, method: Any) -> None:
        self.method = method
        self.task: asyncio.Task[Any] | None = None
        self.started = False
        self.finished = False
        self.reason: Reason | None = None

    def stop(self, reason: Reason) -> None:
        """Stop the handler; the first reason given decides the answer."""
        if self.reason is None and not self.finished:
            self.reason = reason
            if self.started and self.task is not None:
                self.task.cancel()  # a task cancelled before it starts would skip its cleanup

    async def respond(
        self,
        request_id: RequestId | None,
        call: Callable[[], Awaitable[Message | None]],
        timeout: float | None,
    ) -> Message | None:
        """Run ``call`` (which returns the response) in this task, under ``timeout``
        unless the method is long-lived; the response to send, ``None`` for none."""
        deadline = None
        if timeout is not None and self.method not in LONG_LIVED:
            deadline = asyncio.get_running_loop().call_later(timeout, self.stop, timed_out(timeout))
        if self.task is None:  # the engine sets its own tasks; an inline run is the caller's
            self.task = asyncio.current_task()
        self.started = True
        try:
            if self.reason is not None:
                raise asyncio.CancelledError()
            return await call()
        except RpcError as exc:
            return wire.error_response(request_id, exc)
        except asyncio.CancelledError:
            reason = self.reason
            if reason is None:
                raise  # the connection is being torn down
            if self.task is not None:
                self.task.uncancel()  # handled here; the task (maybe the caller's) goes on
            return _answer(request_id, reason)
        except Exception:
            log.exception("handler for %s (id %r) failed", self.method, request_id)
            failure = RpcError(INTERNAL_ERROR, f"Internal error while handling {self.method}")
            return wire.error_response(request_id, failure)
        finally:
            self.finished = True
            if deadline is not None:
                deadline.cancel()


def _answer(request_id: RequestId | None, reason: Reason) -> Message | None:
    if isinstance(reason, RpcError):
        return wire.error_response(request_id, reason)
    if isinstance(reason, dict) and request_id is not None:
        return wire.result_response(request_id, reason)
    return None
