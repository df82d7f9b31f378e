"""The ``ctx`` every handler receives: who is asking, and what a handler may do back.

One API for both eras. Progress and log notifications go out on the request's own
stream. Asking the client for input (``elicit``/``sample``/``list_roots``/``ask``) is a
server→client request on a legacy session and an ``InputRequiredResult`` round on the
modern wire: there the runtime stops the handler, answers with the input requests and a
sealed ``requestState`` holding every answer so far, and runs the handler again when the
client retries; each ``ask`` then returns the answer it got last time, so a handler reads
as straight-line code in both eras.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from mcp_foundry.runtime import revisions, wire
from mcp_foundry.runtime.capabilities import path_object
from mcp_foundry.runtime.errors import INTERNAL_ERROR, RpcError, missing_capability
from mcp_foundry.runtime.revisions import LOG_LEVEL_KEY
from mcp_foundry.runtime.task_serving import related
from mcp_foundry.runtime.wire import RequestId
from pydantic import BaseModel

if TYPE_CHECKING:
    from mcp_foundry.runtime.server import Server
    from mcp_foundry.runtime.session import LegacySession
    from mcp_foundry.runtime.transport import TransportFacts

log = logging.getLogger("mcp_foundry.runtime")

LOG_LEVELS = ("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency")
_SEVERITY = {level: rank for rank, level in enumerate(LOG_LEVELS)}

Emit = Callable[[str, "dict[str, Any] | None"], Awaitable[None]]


class InputRequired(Exception):
    """Raised inside a modern handler to end this round with an ``InputRequiredResult``."""

    def __init__(self, requests: dict[str, dict[str, Any]], answers: dict[str, Any]) -> None:
        super().__init__(sorted(requests))
        self.requests = requests
        self.answers = answers


class RequestContext:
    """Satisfies :class:`mcp_foundry.bindings.HandlerContext`; see the package docstring.

    One is made per request: slots, and a plain counter for input keys, keep that cheap."""

    __slots__ = (
        "server",
        "revision",
        "era",
        "request_id",
        "method",
        "meta",
        "client_capabilities",
        "client_info",
        "session",
        "facts",
        "params",
        "_emit",
        "_answers",
        "_used",
        "_keys",
        "state",
    )

    def __init__(
        self,
        *,
        server: Server,
        revision: str,
        request_id: RequestId | None,
        method: str,
        meta: Mapping[str, Any],
        client_capabilities: Mapping[str, Any],
        client_info: Mapping[str, Any] | None,
        emit: Emit,
        session: LegacySession | None = None,
        facts: TransportFacts | None = None,
        answers: dict[str, Any] | None = None,
        state: dict[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        self.server = server
        self.revision = revision
        # from the cached bindings of the revision being served: no manifest lookup per request
        self.era = revisions.bindings(revision).era
        self.request_id = request_id
        self.method = method
        self.meta = meta
        self.client_capabilities = client_capabilities
        self.client_info = client_info
        self.session = session
        self.facts = facts
        self.params: Mapping[str, Any] = params or {}
        """The params as sent, in the wire revision (fields the handler revision lacks,
        like 2025-11-25 ``params.task``, are read here)."""
        self._emit = emit
        self._answers = answers or {}
        self._used: dict[str, Any] = {}
        self._keys = 0
        self.state: dict[str, Any] = state if state is not None else {}
        """Survives the rounds of a modern multi round-trip request (sealed, not secret)."""

    # ---- facts ----------------------------------------------------------------------

    @property
    def headers(self) -> Mapping[str, str]:
        """HTTP request headers (lower-case names); empty on stdio."""
        return self.facts.headers if self.facts is not None else {}

    @property
    def log_level(self) -> str | None:
        """The lowest level the client wants: per request (modern) or per session."""
        if self.era == "modern":
            level = self.meta.get(LOG_LEVEL_KEY)
            return level if isinstance(level, str) else None
        return self.session.log_level if self.session is not None else None

    def handler_capabilities(self) -> dict[str, Any]:
        """Client capabilities as the handler revision spells them (for synthesized ``_meta``)."""
        if self.session is not None:
            return self.session.handler_capabilities()
        return dict(self.client_capabilities)

    # ---- notifications related to this request ---------------------------------------

    async def notify(self, method: str, params: dict[str, Any] | None = None) -> None:
        """Send a notification on this request's stream (projected to the client's revision)."""
        await self._emit(method, self.server.outgoing_params(self.revision, method, params))

    async def progress(
        self,
        progress: float,
        total: float | None = None,
        message: str | None = None,
        *,
        task_id: str | None = None,
    ) -> None:
        """Report progress when the request carried a ``progressToken``; else a no-op.
        ``task_id`` marks it as progress of that task (2025-11-25 ``related-task``)."""
        token = self.meta.get("progressToken")
        if token is None:
            return
        params: dict[str, Any] = {"progressToken": token, "progress": progress}
        if total is not None:
            params["total"] = total
        if message is not None:
            params["message"] = message
        if task_id is not None:
            params = related(params, task_id)
        await self.notify("notifications/progress", params)

    async def log(
        self, level: str, data: Any, logger: str | None = None, *, task_id: str | None = None
    ) -> None:
        """``notifications/message`` if the client asked for this level (modern: only when
        the request carried ``logLevel``; legacy: per ``logging/setLevel``, all by default).
        ``task_id`` marks it as a message of that task (2025-11-25 ``related-task``)."""
        if level not in _SEVERITY:
            raise ValueError(f"unknown log level {level!r}")
        if not self.server.advertises(("logging",)):
            return  # servers emit log notifications only when they declare logging
        threshold = self.log_level
        if threshold is None and self.era == "modern":
            return
        if threshold is not None and _SEVERITY[level] < _SEVERITY.get(threshold, 0):
            return
        params: dict[str, Any] = {"level": level, "data": data}
        if logger is not None:
            params["logger"] = logger
        if task_id is not None:
            params = related(params, task_id)
        await self.notify("notifications/message", params)

    async def close_sse_stream(self) -> None:
        """HTTP (legacy): end this request's SSE stream now; the answer follows on the
        client's reconnection. A no-op where the transport has no such thing."""
        closer = self.session.close_stream if self.session is not None else None
        if closer is not None and self.request_id is not None:
            await closer(self.request_id)

    # ---- asking the client -----------------------------------------------------------

    async def request(
        self, method: str, params: dict[str, Any] | None = None, *, timeout: float | None = None
    ) -> dict[str, Any]:
        """A raw server→client request (legacy sessions only), answered as a wire dict."""
        if self.session is None:
            # a handler bug, not the client's: answer -32603 (use ask/elicit to work in both eras)
            log.error(
                "%s: servers cannot send requests on the %s wire; use ctx.ask/elicit",
                method,
                self.revision,
            )
            raise RpcError(
                INTERNAL_ERROR, "Internal error: the handler needed client input the wrong way"
            )
        self._require(method)
        wire_params = self.server.outgoing_params(self.revision, method, params)
        return await self.session.peer.request(
            method, wire_params, related=self.request_id, timeout=timeout
        )

    async def elicit(self, params: BaseModel | Mapping[str, Any], *, key: str | None = None) -> Any:
        return (
            await self.ask({key or self._next_key("elicit"): ("elicitation/create", params)})
        ).popitem()[1]

    async def sample(self, params: BaseModel | Mapping[str, Any], *, key: str | None = None) -> Any:
        return (
            await self.ask({key or self._next_key("sample"): ("sampling/createMessage", params)})
        ).popitem()[1]

    async def list_roots(self, *, key: str | None = None) -> Any:
        return (await self.ask({key or self._next_key("roots"): ("roots/list", {})})).popitem()[1]

    async def ask(
        self, requests: Mapping[str, tuple[str, BaseModel | Mapping[str, Any]]]
    ) -> dict[str, Any]:
        """Several input requests at once → ``{key: result model of the handler revision}``."""
        for method, _ in requests.values():
            self._require(method)
        if self.session is None:
            return self._answered_or_raise(requests)
        results = {}
        for key, (method, params) in requests.items():
            raw = await self.request(method, wire.dump(params))
            results[key] = self.server.incoming_result(self.revision, method, raw)
        return results

    def _answered_or_raise(self, requests: Mapping[str, tuple[str, Any]]) -> dict[str, Any]:
        results: dict[str, Any] = {}
        missing: dict[str, dict[str, Any]] = {}
        for key, (method, params) in requests.items():
            raw = self._answers.get(key)
            if raw is not None:
                try:
                    results[key] = self.server.incoming_result(self.revision, method, raw)
                    self._used[key] = raw
                    continue
                except RpcError:
                    pass  # a malformed answer is asked for again (mrtr.mdx: SHOULD re-request)
            wire_params = self.server.outgoing_params(self.revision, method, wire.dump(params))
            missing[key] = {"method": method, "params": wire_params or {}}
        if missing:
            raise InputRequired(missing, dict(self._used))
        return results

    def _require(self, method: str) -> None:
        capability = self.server.input_capability(self.revision, method)
        if capability is not None and capability[0] not in self.client_capabilities:
            raise missing_capability(path_object(capability))

    def _next_key(self, prefix: str) -> str:
        self._keys += 1
        return f"{prefix}-{self._keys}"
