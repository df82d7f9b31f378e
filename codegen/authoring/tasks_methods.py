"""``tasks/get``, ``tasks/update`` and ``tasks/cancel``: the tasks extension's methods.

They exist only for clients that declare the extension in the request's own
capabilities; everyone else gets ``-32021`` before the task id is even looked at.
``tasks/result`` and ``tasks/list`` were removed by SEP-2663 and stay unknown methods.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from .errors import INVALID_PARAMS, RpcError, missing_capability
from .tasks import EXTENSION, TaskBackend

Method = Callable[[dict[str, Any], Any], Awaitable[dict[str, Any]]]
ACK: dict[str, Any] = {"resultType": "complete"}


def _gate(ctx: Any) -> None:
    extensions = ctx.client_capabilities.get("extensions")
    if not isinstance(extensions, dict) or EXTENSION not in extensions:
        raise missing_capability({"extensions": {EXTENSION: {}}})


class TaskMethods:
    """The three task methods over one store."""

    def __init__(self, store: TaskBackend) -> None:
        self.store = store

    def methods(self) -> dict[str, Method]:
        return {"tasks/get": self.get, "tasks/update": self.update, "tasks/cancel": self.cancel}

    async def get(self, params: dict[str, Any], ctx: Any) -> dict[str, Any]:
        _gate(ctx)
        return {**(await self.store.get(params.get("taskId"))).detailed(), **ACK}

    async def update(self, params: dict[str, Any], ctx: Any) -> dict[str, Any]:
        _gate(ctx)
        task = await self.store.get(params.get("taskId"))
        responses = params.get("inputResponses")
        if responses is not None and not isinstance(responses, dict):
            raise RpcError(
                INVALID_PARAMS, "inputResponses must be an object keyed by input request"
            )
        await self.store.answer(task, responses or {})
        return dict(ACK)

    async def cancel(self, params: dict[str, Any], ctx: Any) -> dict[str, Any]:
        _gate(ctx)
        await self.store.cancel(await self.store.get(params.get("taskId")))
        return dict(ACK)
