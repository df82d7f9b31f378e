"""The client side: the same engine, negotiating a revision and calling typed methods.

``connect_stdio([...])`` spawns a server; ``Client(send)`` works over any transport
whose received messages are handed to ``client.feed``. Negotiation follows the stdio
backward-compatibility rules of versioning.mdx: probe ``server/discover`` at the newest
modern version; a ``DiscoverResult`` or a recognised modern error (-32022 naming a
mutual version) keeps the client modern, anything else (another error, silence) falls
back to ``initialize``. Pinning a version skips the probe.

Server→client requests (legacy) and ``InputRequiredResult`` rounds (modern) are answered
by the same registered handlers: ``client.on_request("elicitation/create", fn)``.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import anyio
from mcp_foundry.runtime import project, revisions, wire
from mcp_foundry.runtime.capabilities import INPUT_CAPABILITY, has_path
from mcp_foundry.runtime.client_tasks import TASK_METHODS, ClientTasks, TaskReceiver
from mcp_foundry.runtime.engine import Peer, RequestTimeout
from mcp_foundry.runtime.errors import (
    INTERNAL_ERROR,
    METHOD_NOT_FOUND,
    UNSUPPORTED_PROTOCOL_VERSION,
    RpcError,
    invalid_params,
    method_not_found,
)
from mcp_foundry.runtime.revisions import (
    CLIENT_CAPABILITIES_KEY,
    CLIENT_INFO_KEY,
    PROTOCOL_VERSION_KEY,
)
from mcp_foundry.runtime.wire import RequestId
from pydantic import BaseModel, RootModel, ValidationError

log = logging.getLogger("mcp_foundry.runtime.client")

LISTED = {
    "tools/list": "tools",
    "prompts/list": "prompts",
    "resources/list": "resources",
    "resources/templates/list": "resource_templates",
}
"""The paginated list methods and the result attribute holding their items."""

InputHandler = Callable[[Any], Awaitable[Any]]
"""Answers one server→client request: gets the params model, returns a result model or dict."""

MAX_INPUT_ROUNDS = 16


class NotAdvertised(RpcError):
    """Raised locally (nothing is sent) for a method whose capability its holder (the
    server for requests, this client for its notifications) did not declare."""

    def __init__(self, method: str, path: tuple[str, ...]) -> None:
        super().__init__(
            METHOD_NOT_FOUND, f"{method}: capability {'.'.join(path)} was not declared"
        )


class Client:
    """One connection to a server, after :meth:`connect` a negotiated revision."""

    def __init__(
        self,
        send: Any,
        *,
        name: str = "mcp-foundry-client",
        version: str = "0.1.0",
        timeout: float | None = 60.0,
        on_notification: Callable[[str, dict[str, Any] | None], Awaitable[None]] | None = None,
    ) -> None:
        self.info = {"name": name, "version": version}
        self.timeout = timeout
        self.revision: str | None = None
        self.server_capabilities: dict[str, Any] = {}
        self.server_info: dict[str, Any] | None = None
        self.supported_versions: list[str] = []
        self._input_handlers: dict[str, InputHandler] = {}
        self._on_notification_cb = on_notification
        self.notifications: list[tuple[str, dict[str, Any] | None]] = []
        self.task_receiver: TaskReceiver | None = None
        """Set by :meth:`accept_tasks`: runs the server's task-augmented requests."""
        self.peer = Peer(send, self._on_server_request, self._on_notification)

    async def __aenter__(self) -> Client:
        await self.peer.__aenter__()
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.peer.__aexit__(*exc_info)

    async def feed(self, message: Any) -> None:
        await self.peer.feed(message)

    # ---- capabilities ------------------------------------------------------------------

    def on_request(self, method: str, handler: InputHandler) -> None:
        """Answer ``sampling/createMessage``, ``elicitation/create`` or ``roots/list``;
        registering declares the matching client capability."""
        self._input_handlers[method] = handler

    def accept_tasks(self, store: Any, *, page_size: int | None = None) -> None:
        """Run a server's task-augmented sampling/elicitation as tasks kept in ``store``
        (an authoring ``TaskStore``, which other clients may share: each server sees only
        its own tasks), ``tasks/list`` in pages of ``page_size``; declared where the
        revision has protocol tasks."""
        self.task_receiver = TaskReceiver(self, store, page_size)

    @property
    def input_methods(self) -> frozenset[str]:
        """The server→client requests this client answers."""
        return frozenset(self._input_handlers)

    @property
    def capabilities(self) -> dict[str, Any]:
        caps: dict[str, Any] = {}
        for method in self._input_handlers:
            name = INPUT_CAPABILITY.get(method)
            if name is not None:
                caps[name] = {"listChanged": True} if name == "roots" else {}
        return caps

    @property
    def modern(self) -> bool:
        return revisions.is_modern(self.revision)

    # ---- negotiation -------------------------------------------------------------------

    async def connect(
        self, version: str | None = None, *, probe_timeout: float | None = 5.0
    ) -> str:
        """Pin ``version`` or negotiate; returns the revision in use."""
        if version is not None and revisions.is_modern(version):
            self.revision = version
            await self._discover(version)
            return version
        if version is not None:
            return await self._initialize(version)
        modern = [v for v in revisions.available() if revisions.is_modern(v)]
        if modern:
            probe = modern[-1]
            try:
                with anyio.fail_after(probe_timeout):
                    await self._discover(probe)
                chosen = self._pick_modern(probe)
                if chosen is not None:
                    self.revision = chosen
                    return chosen
                log.info(
                    "server/discover lists no modern version we speak; falling back to initialize"
                )
            except RpcError as exc:
                mutual = self._mutual_from_error(exc, modern)
                if mutual is not None:
                    await self._discover(mutual)
                    self.revision = mutual
                    return mutual
                log.info(
                    "server/discover probe failed (%s); falling back to initialize", exc.message
                )
            except (TimeoutError, RequestTimeout):
                log.info("server/discover probe timed out; falling back to initialize")
        legacy = [v for v in revisions.available() if not revisions.is_modern(v)]
        return await self._initialize(legacy[-1])

    def _pick_modern(self, asked: str) -> str | None:
        """The version to stay modern with, after a successful probe at ``asked``; none
        when the answer lists no supportedVersions (required: it is no modern server)."""
        if not self.supported_versions:
            return None
        offered = [
            v
            for v in self.supported_versions
            if revisions.is_modern(v) and v in revisions.available()
        ]
        if asked in offered:
            return asked
        return offered[-1] if offered else None

    @staticmethod
    def _mutual_from_error(exc: RpcError, modern: list[str]) -> str | None:
        if exc.code != UNSUPPORTED_PROTOCOL_VERSION or not isinstance(exc.data, dict):
            return None
        supported = exc.data.get("supported")
        mutual = [v for v in modern if isinstance(supported, list) and v in supported]
        return mutual[-1] if mutual else None

    async def _discover(self, version: str) -> None:
        result = await self.peer.request(
            "server/discover", {"_meta": self._modern_meta(version)}, timeout=self.timeout
        )
        self.supported_versions = list(result.get("supportedVersions") or [])
        self.server_capabilities = dict(result.get("capabilities") or {})
        meta = result.get("_meta") or {}
        self.server_info = meta.get(revisions.SERVER_INFO_KEY)

    async def _initialize(self, version: str) -> str:
        capabilities = self.capabilities
        if self.task_receiver is not None and "tasks/result" in revisions.bindings(version).methods:
            capabilities["tasks"] = self.task_receiver.capability()
        params = {"protocolVersion": version, "capabilities": capabilities, "clientInfo": self.info}
        result = await self.peer.request("initialize", params, timeout=self.timeout)
        chosen = result.get("protocolVersion")
        if chosen not in revisions.available() or revisions.is_modern(chosen):
            raise RpcError(
                INTERNAL_ERROR, f"server answered initialize with unsupported version {chosen!r}"
            )
        self.revision = str(chosen)
        self.server_capabilities = dict(result.get("capabilities") or {})
        self.server_info = result.get("serverInfo")
        await self.peer.notify("notifications/initialized")
        return self.revision

    def _modern_meta(self, version: str) -> dict[str, Any]:
        return {
            PROTOCOL_VERSION_KEY: version,
            CLIENT_CAPABILITIES_KEY: self.capabilities,
            CLIENT_INFO_KEY: self.info,
        }

    # ---- calls -------------------------------------------------------------------------

    async def call(
        self,
        method: str,
        params: BaseModel | Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
        on_progress: Callable[[dict[str, Any]], Any] | None = None,
        raw: bool = False,
    ) -> Any:
        """Send a request of the negotiated revision; returns its result model (or wire
        dict with ``raw=True``). Input-required rounds are completed transparently."""
        if self.revision is None:
            raise RuntimeError("call connect() first")
        bindings = revisions.bindings(self.revision)
        spec = bindings.methods.get(method)
        if spec is not None and spec.capability is not None and spec.capability.holder == "server":
            if not has_path(self.server_capabilities, spec.capability.path):
                raise NotAdvertised(method, spec.capability.path)
        body = wire.dump(params)
        if self.modern:
            body["_meta"] = {**self._modern_meta(self.revision), **body.get("_meta", {})}
        if spec is not None and spec.params is not None:
            try:
                spec.params.model_validate(body)
            except ValidationError as exc:
                raise invalid_params(exc) from None
        result = await self._send(method, body, timeout, on_progress)
        if raw or spec is None or spec.result is None:
            return result
        if "result_type" in project.fields(spec.result):
            result.setdefault("resultType", "complete")  # absent means complete
        for model in (spec.result, *spec.alt_results):
            try:
                return model.model_validate(result)
            except ValidationError:
                continue
        return spec.result.model_validate(result)

    async def notify(
        self, method: str, params: BaseModel | Mapping[str, Any] | None = None
    ) -> None:
        """Send a notification of the negotiated revision (e.g.
        ``notifications/roots/list_changed``), refused locally when it needs a capability
        this client did not declare."""
        if self.revision is None:
            raise RuntimeError("call connect() first")
        spec = revisions.bindings(self.revision).methods.get(method)
        if spec is not None and spec.capability is not None and spec.capability.holder == "client":
            if not has_path(self.capabilities, spec.capability.path):
                raise NotAdvertised(method, spec.capability.path)
        await self.peer.notify(method, wire.dump(params) or None)

    async def _send(
        self, method: str, body: dict[str, Any], timeout: float | None, on_progress: Any
    ) -> dict[str, Any]:
        for _ in range(MAX_INPUT_ROUNDS):
            result = await self.peer.request(
                method, body or None, timeout=timeout or self.timeout, on_progress=on_progress
            )
            if result.get("resultType") != "input_required":
                return result
            body = {k: v for k, v in body.items() if k not in ("inputResponses", "requestState")}
            requests = result.get("inputRequests") or {}
            if requests:
                body["inputResponses"] = {
                    key: await self._answer(req) for key, req in requests.items()
                }
            if "requestState" in result:
                body["requestState"] = result["requestState"]
        raise RpcError(
            INTERNAL_ERROR, f"{method}: gave up after {MAX_INPUT_ROUNDS} input-required rounds"
        )

    async def _answer(self, request: Any) -> dict[str, Any]:
        method = request.get("method") if isinstance(request, dict) else None
        answer = await self.dispatch_input(
            str(method), request.get("params") if isinstance(request, dict) else None
        )
        return answer

    async def dispatch_input(self, method: str, params: dict[str, Any] | None) -> dict[str, Any]:
        handler = self._input_handlers.get(method)
        if handler is None or self.revision is None:
            raise method_not_found(method, self.revision)
        spec = revisions.bindings(self.revision).methods.get(method)
        value: Any = params or {}
        if spec is not None and spec.params is not None:
            try:
                value = spec.params.model_validate(value)
            except ValidationError as exc:
                raise invalid_params(exc) from None
            if isinstance(value, RootModel):
                value = value.root
        result = await handler(value)
        out = wire.dump(result)
        if (
            self.modern
            and spec is not None
            and spec.result is not None
            and "result_type" in project.fields(spec.result)
        ):
            out.setdefault("resultType", "complete")
        return out

    async def _on_server_request(
        self, request_id: RequestId, method: str, params: dict[str, Any] | None
    ) -> dict[str, Any]:
        if method == "ping":
            return {}
        receiver = self.task_receiver
        if receiver is not None and receiver.wants(method, params):
            return await receiver.accept(method, params or {})
        if receiver is not None and method in TASK_METHODS:
            return await receiver.serve(method, params or {})
        return await self.dispatch_input(method, params)

    async def _on_notification(self, method: str, params: dict[str, Any] | None) -> None:
        self.notifications.append((method, params))
        if self._on_notification_cb is not None:
            await self._on_notification_cb(method, params)

    # ---- conveniences ------------------------------------------------------------------

    @property
    def tasks(self) -> ClientTasks:
        """Protocol tasks (2025-11-25): call as a task, poll, wait, cancel, list."""
        return ClientTasks(self)

    async def list_tools(self) -> Any:
        return await self.call("tools/list", {})

    async def list_all(self, method: str) -> list[Any]:
        """Every item of a paginated list (``tools/list``, ``prompts/list``,
        ``resources/list``, ``resources/templates/list``), page after page until a result
        carries no ``nextCursor`` (pagination.mdx)."""
        field = LISTED[method]
        items: list[Any] = []
        params: dict[str, Any] = {}
        seen: set[str] = set()
        while True:
            result = await self.call(method, params)
            items.extend(getattr(result, field))
            cursor = getattr(result, "next_cursor", None)
            if cursor is None:
                return items
            if cursor in seen:
                raise RpcError(INTERNAL_ERROR, f"{method}: the server sent cursor {cursor!r} twice")
            seen.add(cursor)
            params = {"cursor": cursor}

    async def call_tool(
        self, name: str, arguments: Mapping[str, Any] | None = None, **kw: Any
    ) -> Any:
        return await self.call(
            "tools/call", {"name": name, "arguments": dict(arguments or {})}, **kw
        )

    async def ping(self) -> dict[str, Any]:
        return await self.peer.request("ping", None, timeout=self.timeout)


@asynccontextmanager
async def connect_stdio(
    command: Sequence[str],
    *,
    version: str | None = None,
    connect: bool = True,
    stderr: Any = None,
    **client_options: Any,
) -> AsyncIterator[Client]:
    """Spawn ``command`` as an MCP server over stdio and yield a connected :class:`Client`.

    On exit the server's stdin is closed and it gets a few seconds to exit before
    SIGTERM, then SIGKILL (stdio.mdx shutdown sequence).
    """
    process = await anyio.open_process(
        list(command),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=stderr if stderr is not None else sys.stderr,
    )
    assert process.stdin is not None and process.stdout is not None
    stdin, stdout = process.stdin, process.stdout

    async def send(message: Any, _related: RequestId | None = None) -> None:
        await stdin.send(wire.encode(message) + b"\n")

    client = Client(send, **client_options)
    with single_errors_unwrapped():
        async with anyio.create_task_group() as group, client:

            async def pump() -> None:
                async def chunks() -> bytes:
                    try:
                        return bytes(await stdout.receive(256 * 1024))
                    except (
                        anyio.EndOfStream,
                        anyio.ClosedResourceError,
                        anyio.BrokenResourceError,
                    ):
                        return b""

                await _read_stream_lines(chunks, client.peer.feed_bytes)
                client.peer.fail_pending("the server closed its output")

            group.start_soon(pump)
            try:
                if connect:
                    await client.connect(version)
                yield client
            finally:
                with anyio.CancelScope(shield=True):
                    await stdin.aclose()
                    with anyio.move_on_after(5):
                        await process.wait()
                    if process.returncode is None:
                        process.terminate()
                        with anyio.move_on_after(2):
                            await process.wait()
                    if process.returncode is None:
                        process.kill()
                        await process.wait()
                    group.cancel_scope.cancel()


async def _read_stream_lines(receive: Callable[[], Awaitable[bytes]], on_line: Any) -> None:
    pending = b""
    while True:
        chunk = await receive()
        if not chunk:
            break
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            if line.strip():
                await on_line(line)
    if pending.strip():
        await on_line(pending)


@contextmanager
def single_errors_unwrapped() -> Iterator[None]:
    """anyio wraps whatever leaves a task group in an ExceptionGroup; a caller of a connect
    helper expects the one error itself (the handshake's RpcError, or its own)."""
    try:
        yield
    except BaseExceptionGroup as group:
        if len(group.exceptions) == 1:
            raise group.exceptions[0] from None
        raise
