"""Legacy HTTP sessions: a core session plus the streams its messages travel on.

Each session owns a background task that holds the core's ``server.session(sink)``
context open for the session's whole life (HTTP requests come and go; the session must
not live inside any one of them). The sink routes every outgoing message by its related
request id: to the POST answering that request (a :class:`~.writer.Reply`: its JSON body,
or the resumable stream it opens), else to the standalone GET stream.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections import deque
from typing import Any

from mcp_foundry.runtime import wire
from mcp_foundry.runtime.access import current_access, owner_of
from mcp_foundry.runtime.http.asgi import RawHeaders
from mcp_foundry.runtime.http.port import CoreSession, RequestId, ServerCore
from mcp_foundry.runtime.http.shared import SharedSessions
from mcp_foundry.runtime.http.streams import OutboundStream, StreamTable
from mcp_foundry.runtime.http.writer import Reply
from mcp_foundry.runtime.store import StoreUnavailable
from mcp_foundry.runtime.transport import TransportFacts
from mcp_foundry.sources import registry

log = logging.getLogger("mcp_foundry.runtime.http")

PRIMING = registry.since("2025-11-25")
"""Revisions whose clients expect a priming event (and may be told to resume)."""


class HttpSession:
    """One legacy session over Streamable HTTP or the deprecated HTTP+SSE transport."""

    def __init__(self, *, single_stream: bool, shared: SharedSessions | None = None) -> None:
        self.id = ""
        """The core session's id: cryptographically random, visible ASCII (``[A-Za-z0-9_-]``)."""
        self.id_header: RawHeaders = []
        """The response header naming the session (made once, sent with every answer)."""
        self.single_stream = single_stream
        """Deprecated HTTP+SSE: every message goes down the one GET stream."""
        self.shared = shared
        """Set when the session lives in a shared store (several instances serve it)."""
        self.stream_key = secrets.token_urlsafe(9) if shared is not None else ""
        """Shared sessions: the key of the standalone stream's log (from the record)."""
        self.recorded = False
        self.indexed: set[str] = set()
        """Shared sessions: the URIs whose subscriber indexes list this session."""
        self.touched = time.monotonic()
        self.tails: dict[asyncio.Event, str] = {}
        """Shared sessions: GET streams fed from the store (stop event → stream key)."""
        self.streams = StreamTable(random_keys=shared is not None)
        self.standalone = self.streams.open(resumable=not single_stream)
        self.by_request: dict[RequestId, Reply] = {}
        """The POST answering each request in flight (its output goes there)."""
        self.cancelled: deque[RequestId] = deque(maxlen=256)
        """Requests the client cancelled: whatever still comes for them is dropped."""
        self.core: CoreSession | None = None
        self.last_used = time.monotonic()
        self.closed = asyncio.Event()
        self._owner: asyncio.Task[None] | None = None

    @property
    def revision(self) -> str | None:
        return self.core.revision if self.core is not None else None

    @property
    def can_resume(self) -> bool:
        """Whether this session's clients understand priming events and resumption."""
        revision = self.revision
        return not self.single_stream and revision in PRIMING

    async def start(
        self, server: ServerCore, facts: TransportFacts, restore: dict[str, Any] | None = None
    ) -> None:
        """Start the core session (as a replica of the recorded session ``restore``)."""
        ready = asyncio.Event()
        self._owner = asyncio.get_running_loop().create_task(
            self._own(server, facts, ready, restore)
        )
        await ready.wait()

    async def _own(
        self,
        server: ServerCore,
        facts: TransportFacts,
        ready: asyncio.Event,
        restore: dict[str, Any] | None,
    ) -> None:
        try:
            async with server.session(self._sink, facts) as core:
                core.close_stream = self._close_stream
                if self.shared is not None:
                    core.share(self.shared.relay.prefix, self._changed)
                    if restore is not None:
                        core.restore(restore["sid"], restore)
                        self.stream_key = restore["stream"]
                        self.indexed = set(core.subscribed)
                        self.recorded = True
                self.id = core.id
                self.id_header = [(b"mcp-session-id", core.id.encode("ascii"))]
                self.core = core
                ready.set()
                await self.closed.wait()
        except Exception:
            log.exception("session %s failed", self.id)
        finally:
            ready.set()
            for reply in list(self.by_request.values()):
                reply.detach()  # a POST still waiting ends (as a stream that was let go)
            self.streams.close_all()

    async def _close_stream(self, request_id: RequestId) -> None:
        """``ctx.close_sse_stream()``: drop the connection under a request's stream.

        Only where the client can resume it (a priming event id was sent); the stream
        keeps buffering and the client's ``GET`` with ``Last-Event-ID`` picks it up."""
        reply = self.by_request.get(request_id)
        if reply is not None and self.can_resume:
            reply.detach()

    def route(self, request_ids: list[RequestId], reply: Reply) -> None:
        """Send what comes for ``request_ids`` (one POST's requests) to ``reply``."""
        for request_id in request_ids:
            self.by_request[request_id] = reply

    async def _record(self, answer: Any) -> Any:
        """Write the new session's record; if the store cannot be reached, the client
        gets an error instead of a session no other instance knows."""
        assert self.shared is not None
        try:
            await self.shared.records.save(self)
        except StoreUnavailable as exc:
            log.warning("shared state store unreachable: initialize refused")
            return wire.error_response(answer.get("id"), exc)
        self.recorded = True
        return answer

    @property
    def ready(self) -> bool:
        """Initialized (and, when shared, known to every instance)."""
        return self.revision is not None and (self.shared is None or self.recorded)

    async def _changed(self) -> None:
        if self.shared is not None and self.recorded:
            await self.shared.records.save(self, changed=True)

    async def _unrelated(self, payload: bytes) -> None:
        """A message for the standalone stream: its store log when shared."""
        if self.shared is not None and self.core is not None:
            await self.shared.fanout.append(self.core.id, self.stream_key, payload)
        else:
            self.standalone.publish(payload)

    async def _sink(self, message: Any, related: RequestId | None) -> None:
        if self.single_stream:
            self.standalone.publish(wire.encode(message))
            return
        if isinstance(message, list):
            await self._publish_batch(message)
            return
        reply = self.by_request.get(related) if related is not None else None
        if reply is None:
            if related is not None and related in self.cancelled:
                return
            await self._unrelated(wire.encode(message))
            return
        final = "method" not in message and message.get("id") == related
        if final:
            if self.shared is not None and not self.recorded and self.revision is not None:
                # initialize answered: every instance must know the session before the client does
                message = await self._record(message)
            del self.by_request[related]  # type: ignore[arg-type]
            error = message.get("error")
            code = error.get("code") if isinstance(error, dict) else None
            reply.publish(wire.encode(message), final=True, error_code=code)
        else:
            reply.publish(wire.encode(message))

    def cancel(self, request_id: Any) -> None:
        """The client sent ``notifications/cancelled``: end that request's stream with no
        response (a late answer from the handler is dropped)."""
        reply = self.by_request.pop(request_id, None) if wire.is_request_id(request_id) else None
        if reply is not None:
            self.cancelled.append(request_id)
            reply.end()

    async def _publish_batch(self, answers: list[Any]) -> None:
        ids: list[RequestId] = [
            a["id"] for a in answers if isinstance(a, dict) and wire.is_request_id(a.get("id"))
        ]
        reply = next((self.by_request[i] for i in ids if i in self.by_request), None)
        for request_id in ids:
            self.by_request.pop(request_id, None)
        if reply is None:
            await self._unrelated(wire.encode(answers))
        else:
            reply.publish(wire.encode(answers), final=True)

    async def expose(self, stream: OutboundStream, request_ids: list[RequestId]) -> str | None:
        """A POST's answer became an SSE stream: its priming event id (if the client can
        resume), and, when shared, the stream is copied to the store from now on."""
        if self.shared is not None:
            await self.shared.mirrors.expose(self, stream, request_ids)
        return stream.priming_id if self.can_resume else None

    def owned_by_caller(self) -> bool:
        """Whether the current request's token (or its absence) is the one that opened the
        session. The owner is the core session's own (kept in the shared record, so every
        instance checks it alike); a session id is no credential, so the transports answer
        another's session as one that does not exist."""
        owner = self.core.owner if self.core is not None else None
        if owner is None:
            return True
        access = current_access.get()
        return access is not None and owner_of(access) == owner

    def stop_tails(self, key: str | None = None) -> None:
        """End the GET streams fed from the store (only those of stream ``key``)."""
        for stop, tailing in self.tails.items():
            if key is None or tailing == key:
                stop.set()

    async def terminate(self) -> None:
        """End the session: the core drains in-flight requests, streams are dropped."""
        self.stop_tails()
        self.closed.set()
        if self._owner is not None:
            await asyncio.shield(self._owner)


class SessionRegistry:
    """Live legacy sessions by id, with idle expiry and a cap."""

    def __init__(self, server: ServerCore, *, idle_s: float, max_sessions: int) -> None:
        self._server = server
        self._sessions: dict[str, HttpSession] = {}
        self._idle_s = idle_s
        self._max = max_sessions
        self._closing: set[asyncio.Task[None]] = set()
        self.shared: SharedSessions | None = None
        """Set when the server's store is shared: Streamable HTTP sessions live there."""
        if server.store.shared:
            self.shared = SharedSessions(
                server, server.store, idle_s=idle_s, local=self.get, drop=self.discard
            )
            server.legacy_fanout = self.shared.fanout
        self._loading: dict[str, asyncio.Future[HttpSession | None]] = {}

    def get(self, session_id: str, *, single_stream: bool = False) -> HttpSession | None:
        """A live session of one transport (``single_stream``: HTTP+SSE): each transport
        knows only its own, or a message would be answered on the other's stream."""
        session = self._sessions.get(session_id)
        if session is None or session.single_stream != single_stream:
            return None
        session.last_used = now = time.monotonic()
        if session.shared is not None and now - session.touched > self._idle_s / 4:
            session.touched = now
            self._background(self._touch(session))
        return session

    async def _touch(self, session: HttpSession) -> None:
        assert session.shared is not None
        try:
            alive = await session.shared.records.touch(session)
        except StoreUnavailable:
            session.touched = 0.0  # try again on the next request
            return
        if not alive and self._sessions.get(session.id) is session:
            log.info("session %s ended elsewhere", session.id[:8])
            self._forget(session)

    async def load(self, session_id: str, facts: TransportFacts) -> HttpSession | None:
        """A replica of a session another instance started (shared store only), or
        ``None`` when the store has no such session. Raises ``StoreUnavailable``."""
        if self.shared is None:
            return None
        pending = self._loading.get(session_id)
        if pending is not None:
            return await asyncio.shield(pending)
        pending = self._loading[session_id] = asyncio.get_running_loop().create_future()
        try:
            session = await self._replicate(session_id, facts)
            pending.set_result(session)
            return session
        except Exception as exc:
            pending.set_exception(exc)
            pending.exception()  # retrieved: concurrent loaders re-raise it themselves
            raise
        except BaseException:
            pending.cancel()
            raise
        finally:
            del self._loading[session_id]

    async def _replicate(self, session_id: str, facts: TransportFacts) -> HttpSession | None:
        assert self.shared is not None
        state = await self.shared.records.load(session_id)
        if state is None:
            return None
        await self.shared.start()
        existing = self._sessions.get(session_id)
        if existing is not None:
            return existing
        self._expire()
        if len(self._sessions) >= self._max:
            return None
        session = HttpSession(single_stream=False, shared=self.shared)
        await session.start(self._server, facts, {**state, "sid": session_id})
        if session.core is None:
            return None
        self._sessions[session.id] = session
        log.info("session %s: replica on this instance", session.id[:8])
        return session

    async def remove(self, session_id: str) -> bool:
        """DELETE: end a Streamable HTTP session here and (when shared) everywhere."""
        local = self.discard(session_id) is not None
        if self.shared is None:
            return local
        return await self.shared.records.delete(session_id) or local

    async def create(
        self, facts: TransportFacts, *, single_stream: bool = False
    ) -> HttpSession | None:
        """A new started session, or ``None`` when the server is full (or the core failed)."""
        self._expire()
        if len(self._sessions) >= self._max:
            return None
        shared = None if single_stream else self.shared
        if shared is not None:
            await shared.start()
        session = HttpSession(single_stream=single_stream, shared=shared)
        await session.start(self._server, facts)
        if session.core is None:
            return None
        self._sessions[session.id] = session
        return session

    def discard(self, session_id: str, *, single_stream: bool = False) -> HttpSession | None:
        """Forget a session of one transport at once (later requests get 404) and let it
        drain in the background."""
        session = self._sessions.get(session_id)
        if session is None or session.single_stream != single_stream:
            return None
        self._forget(session)
        return session

    def _forget(self, session: HttpSession) -> None:
        del self._sessions[session.id]
        self._background(session.terminate())

    def _background(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    def _expire(self) -> None:
        deadline = time.monotonic() - self._idle_s
        idle = [
            s
            for s in self._sessions.values()
            if s.last_used < deadline and not s.standalone.attached and not s.tails
        ]
        for session in idle:
            log.info("session %s expired", session.id)
            self._forget(session)

    def end_streams(self) -> None:
        """The server is stopping: standalone GET streams end now (the sessions live on
        until their requests are answered; HTTP+SSE streams carry those answers)."""
        for session in self._sessions.values():
            if not session.single_stream:
                session.standalone.detach()
                session.stop_tails()

    def in_flight(self) -> int:
        """Requests accepted by any session and not yet answered."""
        return sum(s.core.in_flight for s in self._sessions.values() if s.core is not None)

    def stop_requests(self) -> None:
        """The drain time is over: every session answers its running requests with an error."""
        for session in self._sessions.values():
            if session.core is not None:
                session.core.stop_requests()

    async def close_all(self) -> None:
        """Stop: streams end, sessions are forgotten once their requests are answered."""
        self.end_streams()
        for session in list(self._sessions.values()):
            self._forget(session)
        if self._closing:
            await asyncio.wait(list(self._closing), timeout=10)
        if self.shared is not None:
            await self.shared.close()
