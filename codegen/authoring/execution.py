"""Running one tool call: inline, or detached into a task that outlives the request.

The function runs in its own asyncio task from the start. The request waits for it to
finish or to detach (``ctx.detach()``, automatic for task tools unless they ask to
gather input first); once detached, the outcome goes to the task record instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

from mcp_foundry.runtime.context import InputRequired

from .content import Wire, text, tool_result
from .context import Context
from .errors import INTERNAL_ERROR, RpcError, ToolError
from .specs import ToolSpec

log = logging.getLogger("mcp_foundry.authoring")


def error_result(message: str) -> Wire:
    """A tool result the model reads as a failure (``isError: true``)."""
    return {"content": [text(message)], "isError": True}


def run_tool(
    spec: ToolSpec, kwargs: dict[str, Any], context: Context
) -> Awaitable[Wire | BaseException | None]:
    """Run one call. Its awaitable gives the result body, an exception for the request to
    raise, or None when the call detached into a task (the task record then receives the
    outcome).

    Calls that cannot become tasks run inline (the request awaits the function's outcome
    itself, no coroutine in between); the others run in their own asyncio task so they
    can outlive the request.
    """
    if not context.can_detach:
        return _outcome(spec, kwargs, context)
    return _detachable(spec, kwargs, context)


async def _detachable(
    spec: ToolSpec, kwargs: dict[str, Any], context: Context
) -> Wire | BaseException | None:
    """A call that may become a task: its own asyncio task, awaited until done or detached."""

    async def detachable() -> Wire | BaseException:
        if spec.detach_at_start:
            await context.detach()
        outcome = await _outcome(spec, kwargs, context)
        if context.task is not None:
            _settle(context, outcome)
        return outcome

    loop = asyncio.get_running_loop()
    runner = loop.create_task(detachable(), name=f"tool {spec.name}")
    detached = loop.create_task(context.detached.wait())
    try:
        await asyncio.wait({runner, detached}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        detached.cancel()
        if not context.detached.is_set() and not runner.done():
            runner.cancel()
    if context.detached.is_set():
        return None
    return runner.result()


async def _outcome(
    spec: ToolSpec, kwargs: dict[str, Any], context: Context
) -> Wire | BaseException:
    """The function's result as a CallToolResult body, or the protocol-level exception."""
    try:
        return tool_result(await spec.call(kwargs, context), spec.structured)
    except ToolError as exc:
        return error_result(str(exc))
    except (RpcError, InputRequired) as exc:
        return exc
    except Exception:
        # Exception text can carry paths and secrets: it goes to the log, never the peer.
        log.exception("tool %s failed", spec.name)
        return error_result(f"Tool {spec.name} failed")


def _settle(context: Context, outcome: Wire | BaseException) -> None:
    """Record a detached call's outcome: protocol errors fail the task, the rest completes it."""
    assert context.task is not None
    if isinstance(outcome, RpcError):
        context.task.finish(error=outcome.to_wire())
    elif isinstance(outcome, BaseException):
        log.error("task for tool call failed: %r", outcome)
        context.task.finish(error={"code": INTERNAL_ERROR, "message": "Internal error"})
    else:
        context.task.finish(result={**outcome, "resultType": "complete"})
