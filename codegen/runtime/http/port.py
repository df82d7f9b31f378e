"""The slice of the runtime's server core that the HTTP transport drives.

Spelled out as protocols (see ``codegen/runtime/__init__.py`` for the contract) so the
transport depends on behaviour, not on the server class, and so tests can see at a
glance what HTTP needs from the core.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from mcp_foundry.runtime.access import Owner
from mcp_foundry.runtime.store import Store
from mcp_foundry.runtime.transport import SessionFanout, TransportFacts

Message = dict[str, Any]
RequestId = str | int
Sink = Callable[[Any, "RequestId | None"], Awaitable[None]]


class CoreSession(Protocol):
    """One legacy session of the core (``async with server.session(sink, facts)``)."""

    id: str
    revision: str | None
    owner: Owner | None
    """Whose token opened the session (``None`` without authorization)."""
    close_stream: Callable[[RequestId], Awaitable[None]] | None
    subscribed: set[str]

    def share(self, id_prefix: str, on_change: Callable[[], Awaitable[None]]) -> None:
        """Be kept in a shared store (several instances serve this session)."""

    def snapshot(self) -> dict[str, Any]:
        """The initialized session's state another instance restores from."""
        ...

    def restore(self, session_id: str, state: dict[str, Any]) -> None:
        """Become a replica of a session another instance initialized."""

    def update(self, state: dict[str, Any]) -> None:
        """Take settings (log level, subscriptions) another instance changed."""

    async def feed(self, message: Any, facts: TransportFacts | None = None) -> None: ...

    async def answer(self, message: Message, facts: TransportFacts) -> None: ...

    @property
    def in_flight(self) -> int:
        """Requests accepted and not yet answered."""
        ...

    def stop_requests(self) -> None:
        """Answer every in-flight request with an error now (the server's drain is over)."""


class ServerCore(Protocol):
    """What a dual-era server offers its transports."""

    request_timeout: float | None
    """Seconds a handler may run before it is cancelled and answered with an error."""
    store: Store
    """State shared with the server's other instances; closed when the app stops."""
    legacy_fanout: SessionFanout | None

    def is_modern(self, message: Any) -> bool: ...

    def outgoing_params(
        self, revision: str, method: str, params: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        """A notification's params as ``revision`` spells them (fan-out to shared sessions)."""
        ...

    async def handle_modern(
        self, message: Any, sink: Sink, facts: TransportFacts = ...
    ) -> Message | None: ...

    def session(
        self, sink: Sink, facts: TransportFacts = ...
    ) -> AbstractAsyncContextManager[CoreSession]: ...

    def running(self) -> AbstractAsyncContextManager[None]:
        """The core's background work, entered for the app's lifespan."""
        ...
