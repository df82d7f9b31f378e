"""The ``ctx`` parameter of authored functions: progress, logging, input requests, tasks.

One API for every wire. It wraps the runtime's request context, which already maps
input requests to server→client requests (legacy) or ``InputRequiredResult`` rounds
(2026-07-28). What it adds is tasks: once a call has detached into a task there is no
request left to answer. On 2025-11-25 sessions progress and logs still reach the client,
marked with the task (on HTTP on the session's GET stream, the call's own having ended);
on the extension, which has no stream to carry them, they are dropped. An input request
parks the task as ``input_required`` until ``tasks/update`` answers it (the extension) or
the client answers the request sent on a waiting ``tasks/result`` (2025-11-25 sessions).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from mcp_foundry.runtime.access import AccessToken
from pydantic import BaseModel

from . import protocol_tasks
from .content import Wire, wire
from .errors import missing_capability
from .inputs import RESULT_MODEL, InputRequest, elicitation, missing_capabilities, roots, sampling
from .protocol_tasks import ask_for_task
from .tasks import Task

OpenTask = Callable[["asyncio.Task[Any]"], Awaitable[Task]]
"""Records a task for a call that detaches (the store's ``open`` with this wire's options)."""


class Context:
    """Handed to any tool, prompt or resource function that declares a ``Context`` parameter."""

    def __init__(self, request: Any, models: Any, open_task: OpenTask | None = None) -> None:
        self.request = request
        """The runtime's request context (revision, era, meta, client info …)."""
        self._models = models
        self._open_task = open_task
        self._keys = 0
        self.task: Task | None = None
        """The task this call runs as, once detached."""
        self._detached: asyncio.Event | None = None

    @property
    def detached(self) -> asyncio.Event:
        """Set once the call has become a task (made on first use: most calls never ask)."""
        if self._detached is None:
            self._detached = asyncio.Event()
        return self._detached

    @property
    def client_capabilities(self) -> Mapping[str, Any]:
        caps = self.request.client_capabilities
        return caps if isinstance(caps, Mapping) else {}

    @property
    def state(self) -> dict[str, Any]:
        """A dict that survives the input rounds of one request (sealed in requestState)."""
        state: dict[str, Any] = self.request.state
        return state

    @property
    def modern(self) -> bool:
        return bool(self.request.era == "modern")

    @property
    def auth(self) -> AccessToken | None:
        """The caller's verified access token (subject, client id, scopes, claims) on a
        protected HTTP server; ``None`` on stdio and unprotected servers."""
        facts = getattr(self.request, "facts", None)
        access = getattr(facts, "access", None)
        return access if isinstance(access, AccessToken) else None

    # -- progress and logging ------------------------------------------------------------

    async def progress(
        self, progress: float, total: float | None = None, message: str | None = None
    ) -> None:
        """Report progress, if the caller asked for it with a progressToken (on 2025-11-25
        sessions also once detached: the token lives as long as the task)."""
        if self.task is None:
            await self.request.progress(progress, total, message)
        elif not self.modern:
            await protocol_tasks.progress(self.task, self.request, progress, total, message)

    async def log(self, level: str, data: Any, logger: str | None = None) -> None:
        """Send a log message, if the client's chosen level lets it through (on 2025-11-25
        sessions also once detached, marked with the task)."""
        if self.task is None:
            await self.request.log(level, data, logger)
        elif not self.modern:
            await self.request.log(level, data, logger, task_id=self.task.task_id)

    async def debug(self, data: Any) -> None:
        await self.log("debug", data)

    async def info(self, data: Any) -> None:
        await self.log("info", data)

    async def warning(self, data: Any) -> None:
        await self.log("warning", data)

    async def error(self, data: Any) -> None:
        await self.log("error", data)

    # -- input requests ------------------------------------------------------------------

    async def ask(self, requests: Mapping[str, InputRequest]) -> dict[str, Any]:
        """Ask the client for several inputs at once; returns result models by key.

        Build the requests with :func:`elicitation`, :func:`sampling` and :func:`roots`.
        """
        requests = dict(requests)
        if self.task is None:
            answers = await self.request.ask({k: (r.method, r.params) for k, r in requests.items()})
            return dict(answers)
        if not self.modern:
            return await ask_for_task(self.task, self.request, requests)
        lacking = missing_capabilities(requests, dict(self.client_capabilities))
        if lacking:
            raise missing_capability(lacking)
        answers = await self.task.wait_for_input(requests)
        return {k: self._result_model(requests[k].method, v) for k, v in answers.items()}

    async def ask_as_task(self, request: InputRequest, *, ttl_ms: int | None = None) -> Any:
        """Ask the client to run one request (sampling, elicitation) as a task and wait for
        its result: on 2025-11-25 sessions whose client declared it can (from a running
        task too: that task is ``input_required`` meanwhile); elsewhere this is an
        ordinary :meth:`ask`."""
        if protocol_tasks.client_runs(self.request, request.method):
            return await protocol_tasks.ask_as_task(self.request, request, ttl_ms, self.task)
        key = f"task_{self._next_key()}"
        return (await self.ask({key: request}))[key]

    def _result_model(self, method: str, answer: Any) -> Any:
        model: type[BaseModel] = getattr(self._models, RESULT_MODEL[method])
        return model.model_validate(answer)

    async def elicit(
        self, message: str, schema: Wire | type[BaseModel], *, key: str | None = None
    ) -> Any:
        """Ask the user to fill in a form; returns the ``ElicitResult``."""
        key = key or f"elicitation_{self._next_key()}"
        return (await self.ask({key: elicitation(message, schema)}))[key]

    async def sample(
        self,
        prompt: str | list[Any],
        max_tokens: int = 100,
        *,
        system_prompt: str | None = None,
        key: str | None = None,
    ) -> Any:
        """Ask the client's model; returns the ``CreateMessageResult``."""
        key = key or f"sampling_{self._next_key()}"
        return (await self.ask({key: sampling(prompt, max_tokens, system_prompt)}))[key]

    async def list_roots(self, *, key: str | None = None) -> list[Wire]:
        """The client's roots, as wire dicts."""
        key = key or f"roots_{self._next_key()}"
        answer = wire((await self.ask({key: roots()}))[key])
        return list(answer.get("roots", []))

    # -- tasks ---------------------------------------------------------------------------

    def _next_key(self) -> int:
        self._keys += 1
        return self._keys

    @property
    def can_detach(self) -> bool:
        """True while this call may still become a task."""
        return self._open_task is not None and self.task is None

    async def detach(self) -> None:
        """Continue as a task: the caller gets a ``CreateTaskResult`` now and polls.

        A no-op when this call cannot become a task (the tool does not support tasks or
        the client did not declare the tasks extension); the work then runs inline.
        """
        if self._open_task is None or self.task is not None:
            return
        runner = asyncio.current_task()
        assert runner is not None, "detach() runs inside the tool's own task"
        self.task = await self._open_task(runner)
        self.detached.set()
        await asyncio.sleep(0)

    # -- transport -----------------------------------------------------------------------

    async def close_stream(self) -> None:
        """Legacy HTTP: end this request's SSE stream now; the client resumes it with GET
        and gets the rest (a no-op where the wire cannot resume)."""
        await self.request.close_sse_stream()
