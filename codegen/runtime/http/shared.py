"""Legacy Streamable HTTP sessions served by several instances through a shared store.

Behind a balancer without stickiness each request of a 2025-11-25 (or older) session may
land on any instance, so what serving it needs lives in the server's store:

* a record per session (revision, client capabilities and info, log level,
  subscriptions, the key of its standalone stream), alive for the idle timeout and
  refreshed on use; an instance without the session rebuilds a replica from it;
* the standalone stream as a store log: any instance appends (the session's own
  notifications, fan-out), the instance holding the client's ``GET`` reads it;
* POST response streams that became SSE, copied to a log each, so a ``Last-Event-ID``
  resumption on another instance replays them and follows them to their end;
* indexes of live sessions and of subscribers per resource URI, for fan-out;
* one channel on which instances hand each other what arrived at the wrong one: a
  client's answer to a server→client request, a cancellation, a deletion, a changed
  setting.

Event ids are ``<stream key>/<n>``: random keys, looked up only under their session's id.
The deprecated HTTP+SSE transport stays on one instance (its GET stream is the session).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import orjson
from mcp_foundry.runtime import wire
from mcp_foundry.runtime.errors import INTERNAL_ERROR, INVALID_REQUEST, RpcError
from mcp_foundry.runtime.http import asgi
from mcp_foundry.runtime.http.asgi import RawHeaders, Receive, Send
from mcp_foundry.runtime.http.port import RequestId, ServerCore
from mcp_foundry.runtime.http.sse import KEEPALIVE, frame
from mcp_foundry.runtime.http.streams import ENDED, Item, OutboundStream
from mcp_foundry.runtime.http.writer import open_stream, send_event
from mcp_foundry.runtime.store import Store, StoreUnavailable, position_key

if TYPE_CHECKING:
    from mcp_foundry.runtime.http.sessions import HttpSession

log = logging.getLogger("mcp_foundry.runtime.http")

MAX_EVENTS = 1024
"""Events a stream's log keeps for resumption (as the in-memory streams do)."""
CHANNEL = "legacy"
HEARTBEAT_S = 1.0
"""How often an instance says it is alive; it counts as dead after three missed beats."""
ACK_S = 2.0
"""The longest a deletion or a settings change waits for the other instances to apply it."""
POLL_S = 1.0
"""The longest a tailing stream waits in one store read (it checks for a hang-up between)."""

_EVENT, _FINAL, _ENDED, _HEAD = 0, 1, 2, 3
"""Kinds of entries in a POST stream's log (``b"<seq> <kind> <payload>"``)."""


def _record(session_id: str) -> str:
    return f"ls:{session_id}"


def _log(session_id: str, stream_key: str) -> str:
    return f"lg:{session_id}:{stream_key}"


def _subscribers(uri: str) -> str:
    return f"ls-sub:{uri}"


INSTANCES = "instances"
"""Index of the instances alive (each refreshes its membership every heartbeat)."""
LIVE = "ls-live"
"""Index of initialized sessions: ``"<id> <standalone key> <revision>"`` members."""


def plausible_id(session_id: str) -> bool:
    """Whether a client's session id could be one of ours (before any store look-up)."""
    return (
        0 < len(session_id) <= 64
        and session_id.isascii()
        and all(c.isalnum() or c in "-_" for c in session_id)
    )


class SharedSessions:
    """One instance's side of the shared legacy sessions (see the module docstring)."""

    def __init__(
        self,
        server: ServerCore,
        store: Store,
        *,
        idle_s: float,
        local: Callable[[str], HttpSession | None],
        drop: Callable[[str], object],
    ) -> None:
        self.server = server
        self.store = store
        self.idle_s = idle_s
        self.instance = secrets.token_hex(4)
        self.prefix = f"{self.instance}."
        """Our server→client request ids start with it: an answer elsewhere comes back here."""
        self._local = local
        self._drop = drop
        self._tasks: set[asyncio.Task[Any]] = set()
        self._listening: asyncio.Future[None] | None = None

    # ---- lifecycle ------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on the channel and beat (once; returns when subscribed, raises
        :class:`StoreUnavailable` when that cannot be done now: the next call retries)."""
        if self._listening is None:
            listening = self._listening = asyncio.get_running_loop().create_future()
            self._spawn(self._listen(listening))
        await asyncio.shield(self._listening)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=5)
        self._listening = None
        try:
            await self.store.index_remove(INSTANCES, self.instance)
        except StoreUnavailable:
            pass

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _beat(self) -> None:
        while True:
            try:
                await self.store.index_add(INSTANCES, self.instance, ttl_s=3 * HEARTBEAT_S)
            except StoreUnavailable:
                log.warning("shared store unreachable (heartbeat)")
            await asyncio.sleep(HEARTBEAT_S)

    async def alive(self, instance: str) -> bool:
        """Whether ``instance`` beat lately (a SIGKILLed one stops within three beats)."""
        return instance == self.instance or instance in await self.store.index_members(INSTANCES)

    # ---- records ----------------------------------------------------------------------

    async def load(self, session_id: str) -> dict[str, Any] | None:
        """The record of a live session, or ``None``."""
        raw = await self.store.get(_record(session_id)) if plausible_id(session_id) else None
        if raw is None:
            return None
        state: dict[str, Any] = orjson.loads(raw)
        return state

    async def save(self, session: HttpSession, *, changed: bool = False) -> None:
        """Write the session's record and index entries (``changed``: tell the replicas)."""
        core = session.core
        assert core is not None and core.revision is not None
        state = {**core.snapshot(), "stream": session.stream_key, "transport": "streamable-http"}
        await self.store.put(_record(core.id), orjson.dumps(state), ttl_s=self.idle_s)
        member = self._member(session)
        await self.store.index_add(LIVE, member, ttl_s=self.idle_s)
        for uri in core.subscribed - session.indexed:
            await self.store.index_add(_subscribers(uri), member, ttl_s=self.idle_s)
        for uri in session.indexed - core.subscribed:
            await self.store.index_remove(_subscribers(uri), member)
        session.indexed = set(core.subscribed)
        if changed:
            await self._tell_all("reload", core.id)

    async def touch(self, session: HttpSession) -> bool:
        """Keep the record and index entries alive; ``False`` once the record is gone."""
        core = session.core
        if core is None or not await self.store.touch(_record(core.id), ttl_s=self.idle_s):
            return False
        member = self._member(session)
        await self.store.index_add(LIVE, member, ttl_s=self.idle_s)
        for uri in core.subscribed:
            await self.store.index_add(_subscribers(uri), member, ttl_s=self.idle_s)
        return True

    async def delete(self, session_id: str) -> bool:
        """End a session on every instance; ``False`` when there was no such session."""
        state = await self.load(session_id)
        if state is None:
            return False
        await self.store.delete(_record(session_id))
        member = f"{session_id} {state['stream']} {state['revision']}"
        await self.store.index_remove(LIVE, member)
        for uri in state.get("subscribed") or ():
            await self.store.index_remove(_subscribers(uri), member)
        await self.store.delete(_log(session_id, state["stream"]))
        await self.store.delete(_log(session_id, state["stream"]) + ":at")
        await self._tell_all("drop", session_id)
        return True

    @staticmethod
    def _member(session: HttpSession) -> str:
        assert session.core is not None
        return f"{session.core.id} {session.stream_key} {session.core.revision}"

    # ---- the channel ------------------------------------------------------------------

    async def _tell(self, op: str, session_id: str, **fields: Any) -> None:
        body = {"op": op, "sid": session_id, "from": self.instance, **fields}
        await self.store.publish(CHANNEL, orjson.dumps(body))

    async def _tell_all(self, op: str, session_id: str) -> None:
        """Tell every instance and return once each live one has acted on it (or after
        :data:`ACK_S`): the client's next request sees the change wherever it lands."""
        others = set(await self.store.index_members(INSTANCES)) - {self.instance}
        acks = f"ack:{secrets.token_urlsafe(12)}"
        await self._tell(op, session_id, ack=acks)
        deadline = time.monotonic() + ACK_S
        after: str | None = None
        while others and (left := deadline - time.monotonic()) > 0:
            events = await self.store.read(acks, after, wait_s=left)
            for position, instance in events:
                after = position
                others.discard(instance.decode("ascii", "replace"))
        if others:
            log.warning("shared %s: %d instance(s) did not acknowledge in time", op, len(others))

    async def forward(self, session: HttpSession, items: list[Any]) -> list[Any]:
        """Send what belongs to other instances there; returns what is for this one.

        A response whose id carries another instance's prefix goes to that instance; a
        ``notifications/cancelled`` goes to all (the request may run on any of them)."""
        assert session.core is not None
        mine: list[Any] = []
        for item in items:
            if not isinstance(item, dict):
                mine.append(item)
                continue
            request_id = item.get("id")
            if (
                "method" not in item
                and isinstance(request_id, str)
                and not request_id.startswith(self.prefix)
                and "." in request_id
            ):
                owner = request_id.partition(".")[0]
                await self._tell("answer", session.core.id, to=owner, message=item)
                continue
            if item.get("method") == "notifications/cancelled":
                await self._tell("cancel", session.core.id, message=item)
            mine.append(item)
        return mine

    async def _take_over(self, session: HttpSession, stream_key: str) -> None:
        """A new GET on ``stream_key``: connections tailing it here or elsewhere end (the
        server sends each message on one stream only)."""
        assert session.core is not None
        session.stop_tails(stream_key)
        await self._tell("detach", session.core.id, stream=stream_key)

    async def _listen(self, listening: asyncio.Future[None]) -> None:
        while True:
            try:
                async with self.store.subscribe(CHANNEL) as messages:
                    if not listening.done():
                        listening.set_result(None)
                        self._spawn(self._beat())  # listed as live once listening
                    async for raw in messages:
                        await self._heard(raw)
            except StoreUnavailable as exc:
                if not listening.done():  # never subscribed: let the next start() retry
                    self._listening = None
                    listening.set_exception(exc)
                    return
                log.warning("shared store unreachable (channel); retrying")
                await asyncio.sleep(HEARTBEAT_S)

    async def _heard(self, raw: bytes) -> None:
        try:
            body = orjson.loads(raw)
            op, session_id, sender = body["op"], body["sid"], body["from"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            log.warning("ignoring a malformed message on the shared channel")
            return
        if sender == self.instance or (op == "answer" and body.get("to") != self.instance):
            return
        try:
            await self._act(op, session_id, body)
        except Exception:
            log.exception("shared %s for session %s failed", op, session_id[:8])
        finally:
            await self._acknowledge(body)

    async def _act(self, op: str, session_id: str, body: dict[str, Any]) -> None:
        if op == "drop":
            self._drop(session_id)
            return
        session = self._local(session_id)
        if session is None or session.core is None:
            return
        if op == "detach":
            session.stop_tails(str(body.get("stream")))
        elif op == "answer":
            await session.core.feed(body["message"])
        elif op == "cancel":
            await session.core.feed(body["message"])
            params = body["message"].get("params")
            if isinstance(params, dict):
                session.cancel(params.get("requestId"))
        elif op == "reload":
            state = await self.load(session_id)
            if state is not None:
                session.core.update(state)
                session.indexed = set(session.core.subscribed)

    async def _acknowledge(self, body: dict[str, Any]) -> None:
        acks = body.get("ack")
        if isinstance(acks, str) and acks.startswith("ack:"):
            await self.store.append(
                acks, self.instance.encode("ascii"), max_len=256, ttl_s=2 * ACK_S
            )

    # ---- standalone streams and fan-out -----------------------------------------------

    async def append(self, session_id: str, stream_key: str, payload: bytes) -> None:
        """One message down a session's standalone stream, whichever instance holds it."""
        await self.store.append(
            _log(session_id, stream_key), payload, max_len=MAX_EVENTS, ttl_s=self.idle_s
        )

    async def notify_all(self, method: str, params: dict[str, Any] | None) -> None:
        await self._fan_out(await self.store.index_members(LIVE), method, params)

    async def notify_subscribers(
        self, uri: str, method: str, params: dict[str, Any] | None
    ) -> None:
        await self._fan_out(await self.store.index_members(_subscribers(uri)), method, params)

    async def _fan_out(
        self, members: Iterable[str], method: str, params: dict[str, Any] | None
    ) -> None:
        encoded: dict[str, bytes] = {}
        for member in members:
            session_id, _, rest = member.partition(" ")
            stream_key, _, revision = rest.partition(" ")
            payload = encoded.get(revision)
            if payload is None:
                try:
                    out = self.server.outgoing_params(revision, method, params)
                except RpcError:
                    continue
                payload = encoded[revision] = wire.encode(wire.notification(method, out))
            await self.append(session_id, stream_key, payload)

    async def _cursor(self, session: HttpSession) -> str | None:
        """Where the last GET of this session stopped (a fresh GET goes on from there)."""
        assert session.core is not None
        raw = await self.store.get(_log(session.core.id, session.stream_key) + ":at")
        return raw.decode("ascii") if raw is not None else None

    # ---- POST response streams ---------------------------------------------------------

    async def expose(
        self, session: HttpSession, stream: OutboundStream, request_ids: list[RequestId]
    ) -> None:
        """The stream became SSE (its event ids are about to reach the client): copy it to
        the store from now on, what it buffered first, under a head naming us and its
        requests; returns once that much is stored."""
        if stream.mirror is not None or session.core is None:
            return
        mirror = _Mirror(self, _log(session.core.id, stream.key))
        head = orjson.dumps({"owner": self.instance, "ids": request_ids})
        mirror.push(0, b"0 %d " % _HEAD + head)
        buffered = stream.buffered()
        for seq, item in buffered:
            mirror.add(seq, item)
        stream.mirror = mirror
        await mirror.reached(buffered[-1][0] if buffered else 0)

    # ---- GET: streams read from the store ----------------------------------------------

    async def serve_get(
        self,
        receive: Receive,
        send: Send,
        session: HttpSession,
        last_event_id: str | None,
        keepalive_s: float,
    ) -> None:
        """A GET this instance cannot serve from memory: the session's standalone stream
        (from where the last GET stopped, or after ``last_event_id``), or the resumption
        of a POST answer stream that another instance answers."""
        source = await self._source(session, last_event_id)
        if source is None:
            await asgi.respond_error(send, 404, INVALID_REQUEST, "Unknown Last-Event-ID")
            return
        await self._take_over(session, source.key)
        stop = asyncio.Event()
        session.tails[stop] = source.key
        try:
            await tail_to_client(
                send,
                receive,
                source,
                keepalive_s=keepalive_s,
                headers=[(b"mcp-session-id", session.id.encode("ascii"))],
                stop=stop,
            )
        finally:
            session.tails.pop(stop, None)

    async def _source(
        self, session: HttpSession, last_event_id: str | None
    ) -> StandaloneTail | PostTail | None:
        """What a GET reads; ``None`` for an event id this session's streams never had."""
        assert session.core is not None
        session_id = session.core.id
        if last_event_id is None:
            return StandaloneTail(self, session_id, session.stream_key, await self._cursor(session))
        key, _, rest = last_event_id.strip().rpartition("/")
        if key == session.stream_key:
            try:
                position_key(rest)
            except ValueError:
                return None
            return StandaloneTail(self, session_id, key, rest)
        if not (plausible_id(key) and rest.isascii() and rest.isdigit() and len(rest) <= 20):
            return None
        tail = PostTail(self, _log(session_id, key), key, int(rest))
        return tail if await tail.open() else None


class _Mirror:
    """Appends one stream's events to its log in order, without blocking the producer;
    the writer waits (``reached``) before it sends an event id the store lacks."""

    def __init__(self, shared: SharedSessions, name: str) -> None:
        self.shared = shared
        self.name = name
        self.queue: deque[tuple[int, bytes]] = deque()
        self.task: asyncio.Task[None] | None = None
        self.done = -1
        """The highest sequence number stored (or given up on)."""
        self.progress = asyncio.Event()

    def add(self, seq: int, item: Item) -> None:
        if item is ENDED:
            self.push(seq, b"%d %d " % (seq, _ENDED))
        elif item.payload is not None:
            self.push(seq, b"%d %d " % (seq, _FINAL if item.final else _EVENT) + item.payload)

    def push(self, seq: int, entry: bytes) -> None:
        self.queue.append((seq, entry))
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._drain())

    async def reached(self, seq: int) -> None:
        while self.done < seq and self.task is not None and not self.task.done():
            await self.progress.wait()

    async def _drain(self) -> None:
        store = self.shared.store
        while self.queue:
            seq, entry = self.queue.popleft()
            try:
                await store.append(self.name, entry, max_len=MAX_EVENTS, ttl_s=self.shared.idle_s)
            except StoreUnavailable:
                log.warning("shared store unreachable: an event cannot be resumed elsewhere")
            finally:
                self.done = max(self.done, seq)
                self.progress.set()
                self.progress = asyncio.Event()


class StandaloneTail:
    """A session's standalone stream, read from its log (events ``<key>/<position>``)."""

    def __init__(
        self, shared: SharedSessions, session_id: str, stream_key: str, after: str | None
    ) -> None:
        self.shared = shared
        self.name = _log(session_id, stream_key)
        self.key = stream_key
        self.after = after

    async def next(self, wait_s: float) -> list[Item]:
        events = await self.shared.store.read(self.name, self.after, wait_s=wait_s)
        if events:
            self.after = events[-1][0]
        return [Item(payload, f"{self.key}/{position}") for position, payload in events]

    async def delivered(self) -> None:
        if self.after is not None:
            await self.shared.store.put(
                self.name + ":at", self.after.encode("ascii"), ttl_s=self.shared.idle_s
            )


class PostTail:
    """A POST response stream resumed on another instance than the one answering it."""

    def __init__(self, shared: SharedSessions, name: str, key: str, after: int) -> None:
        self.shared = shared
        self.name = name
        self.key = key
        self.after = after
        self.position: str | None = None
        self.owner: str | None = None
        self.ids: list[RequestId] = []
        self.seq = after

    async def open(self) -> bool:
        """Read the head: ``False`` when no such stream was ever copied here."""
        head = await self.shared.store.read(self.name, None)
        if not head:
            return False
        position, raw = head[0]
        seq, kind, payload = _entry(raw)
        if kind != _HEAD:
            return False
        body = orjson.loads(payload)
        self.owner, self.ids, self.position = body["owner"], body["ids"], position
        return True

    async def next(self, wait_s: float) -> list[Item]:
        events = await self.shared.store.read(self.name, self.position, wait_s=wait_s)
        items: list[Item] = []
        for position, raw in events:
            self.position = position
            seq, kind, payload = _entry(raw)
            self.seq = max(self.seq, seq)
            if kind == _HEAD or seq <= self.after:
                if kind in (_FINAL, _ENDED):
                    return [ENDED]  # the client has the end already
                continue
            if kind == _ENDED:
                return [*items, ENDED]
            items.append(Item(payload, f"{self.key}/{seq}", kind == _FINAL))
            if kind == _FINAL:
                return items
        if not events and self.owner is not None and not await self.shared.alive(self.owner):
            return self._orphaned()
        return items

    def _orphaned(self) -> list[Item]:
        """The instance running the request is gone: say it will not be answered."""
        error = RpcError(
            INTERNAL_ERROR,
            "Internal error: the server instance running this request stopped;"
            " it will not be answered",
        )
        answers = [wire.encode(wire.error_response(i, error)) for i in self.ids]
        self.seq += 1
        items = [Item(a, f"{self.key}/{self.seq}") for a in answers]
        return (
            [*items[:-1], Item(items[-1].payload, items[-1].event_id, True)] if items else [ENDED]
        )

    async def delivered(self) -> None:
        return None


def _entry(raw: bytes) -> tuple[int, int, bytes]:
    seq, kind, payload = raw.split(b" ", 2)
    return int(seq), int(kind), payload


async def tail_to_client(
    send: Send,
    receive: Receive,
    source: StandaloneTail | PostTail,
    *,
    keepalive_s: float,
    headers: RawHeaders,
    stop: asyncio.Event,
) -> None:
    """Write a stream read from the store as SSE until it ends, the client leaves or the
    server stops."""
    gone = asyncio.Event()

    async def watch() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        gone.set()

    watcher = asyncio.get_running_loop().create_task(watch())
    try:
        await open_stream(send, headers)
        await send_event(send, b"")
        quiet_since = time.monotonic()
        while not gone.is_set() and not stop.is_set():
            try:
                items = await source.next(min(POLL_S, keepalive_s))
            except StoreUnavailable:
                log.warning("session store unreachable: a stream ends (the client may resume)")
                break
            if stop.is_set():
                break  # taken over meanwhile: what was read goes to the newer connection
            if not items:
                if time.monotonic() - quiet_since >= keepalive_s:
                    await send_event(send, KEEPALIVE)
                    quiet_since = time.monotonic()
                continue
            quiet_since = time.monotonic()
            if await _write(send, items):
                break
            try:
                await source.delivered()
            except StoreUnavailable:
                pass  # only a fresh GET's starting point suffers
        await send({"type": "http.response.body", "body": b""})
    finally:
        watcher.cancel()


async def _write(send: Send, items: list[Item]) -> bool:
    """Write items; whether the stream ended."""
    for item in items:
        if item.payload is None:
            return True
        await send_event(send, frame(item.payload, event_id=item.event_id))
        if item.final:
            return True
    return False
