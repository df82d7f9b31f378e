"""Logical SSE streams that outlive the HTTP connection carrying them.

On the legacy Streamable HTTP wire a server may drop the connection under a stream and
let the client resume it with ``GET`` + ``Last-Event-ID``; the stream keeps numbering
and buffering events meanwhile. :class:`OutboundStream` is that stream: producers
publish without ever blocking, and whichever HTTP connection is attached drains it
through an :class:`Inbox`.
"""

from __future__ import annotations

import asyncio
import secrets
from collections import OrderedDict, deque
from typing import NamedTuple, Protocol


class Item(NamedTuple):
    """One thing for an attached connection to write (a tuple: one or more per request,
    and a frozen dataclass costs several times more to make)."""

    payload: bytes | None
    """Compact JSON of one message; ``None`` for the control items below."""
    event_id: str | None = None
    final: bool = False
    """The response that ends this stream."""
    error_code: int | None = None
    """The JSON-RPC error code when the final response is an error (picks HTTP status)."""


class Inbox:
    """What one attached connection has still to write: a FIFO with a single reader.

    Every legacy POST attaches one, so it is leaner than ``asyncio.Queue`` (which also
    builds an event, a putter queue and task accounting nobody here uses)."""

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: deque[Item] = deque()
        self._waiter: asyncio.Future[None] | None = None

    def put_nowait(self, item: Item) -> None:
        self._items.append(item)
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def empty(self) -> bool:
        return not self._items

    async def get(self) -> Item:
        while not self._items:
            if self._waiter is not None and not self._waiter.done():
                raise RuntimeError("an Inbox has one reader at a time")
            self._waiter = asyncio.get_running_loop().create_future()
            await self._waiter
        return self._items.popleft()


DETACH = Item(payload=None)
"""The server lets go of the connection (it may be resumed later)."""
DISCONNECTED = Item(payload=None, final=True)
"""The client went away."""
ENDED = Item(payload=None, final=True)
"""The stream ends without a response (the client cancelled its request)."""


MAX_EVENTS = 1024
"""Events a stream keeps for resumption (in memory, and in a shared store's log)."""


class Mirror(Protocol):
    """Where a stream's events are copied to (a shared store's log), in order."""

    def add(self, seq: int, item: Item) -> None: ...

    async def reached(self, seq: int) -> None:
        """Return once every event up to ``seq`` is stored."""


class OutboundStream:
    """One logical stream: a request's response stream or the standalone GET stream."""

    __slots__ = (
        "key",
        "resumable",
        "finished",
        "priming_id",
        "_seq",
        "_delivered",
        "_events",
        "_live",
        "mirror",
    )

    def __init__(self, key: str, *, resumable: bool, max_events: int = MAX_EVENTS) -> None:
        self.key = key
        self.resumable = resumable
        self.finished = False
        self._seq = 0
        self._delivered = 0
        self._events: deque[tuple[int, Item]] = deque(maxlen=max_events)
        self._live: Inbox | None = None
        self.mirror: Mirror | None = None
        """Told of every event once the stream is copied to the shared store, for
        resumption on another instance (``shared.mirror``)."""
        self.priming_id = self._reserve_id() if resumable else None
        """The id of the empty priming event that lets a client resume from the start."""

    @property
    def attached(self) -> bool:
        return self._live is not None

    def _reserve_id(self) -> str:
        self._seq += 1
        self._delivered = self._seq
        return f"{self.key}/{self._seq}"

    def publish(
        self, payload: bytes, *, final: bool = False, error_code: int | None = None
    ) -> None:
        """Queue one message; it reaches the client now or on a later resume."""
        if self.finished:
            return
        seq: int | None = None
        if self.resumable:
            self._seq = seq = self._seq + 1
            item = Item(payload, f"{self.key}/{seq}", final, error_code)
            self._events.append((seq, item))
            if self.mirror is not None:
                self.mirror.add(seq, item)
        else:
            item = Item(payload, None, final, error_code)
        self.finished = final
        if self._live is not None:
            self._send(self._live, item, seq)

    def end(self) -> None:
        """Finish without a response: a cancelled request gets none (cancellation.mdx)."""
        if self.finished:
            return
        self.finished = True
        if self.resumable:
            self._seq += 1
            self._events.append((self._seq, ENDED))
            if self.mirror is not None:
                self.mirror.add(self._seq, ENDED)
        if self._live is not None:
            self._live.put_nowait(ENDED)

    async def persisted(self, item: Item) -> None:
        """Return once ``item`` is in the shared store (at once when not copied there)."""
        if self.mirror is not None and item.event_id is not None:
            await self.mirror.reached(int(item.event_id.rpartition("/")[2]))

    def buffered(self) -> list[tuple[int, Item]]:
        """The events still kept for resumption, oldest first."""
        return list(self._events)

    def attach(self, after: int | None = None) -> Inbox:
        """Attach a new connection, replaying events after ``after`` (default: undelivered)."""
        self.detach()
        live = Inbox()
        self._live = live
        start = self._delivered if after is None else after
        for seq, item in self._events:
            if seq > start:
                self._send(live, item, seq if item.event_id is not None else None)
        return live

    def detach(self, live: Inbox | None = None) -> None:
        """Let go of the attached connection (only if it is still ``live``, when given)."""
        current = self._live
        if current is None or (live is not None and live is not current):
            return
        self._live = None
        current.put_nowait(DETACH)

    def _send(self, live: Inbox, item: Item, seq: int | None) -> None:
        """Hand ``item`` (event number ``seq``, ``None`` for one without an id) over."""
        live.put_nowait(item)
        if seq is not None:
            self._delivered = seq


class StreamTable:
    """A session's streams by key, keeping only recent finished ones for resumption."""

    def __init__(self, keep_finished: int = 64, *, random_keys: bool = False) -> None:
        self._streams: OrderedDict[str, OutboundStream] = OrderedDict()
        self._keep_finished = keep_finished
        self._counter = 0
        self._random_keys = random_keys
        """Unguessable stream keys: a shared store keys its logs by them."""

    def open(self, *, resumable: bool) -> OutboundStream:
        self._counter += 1
        key = secrets.token_urlsafe(9) if self._random_keys else f"s{self._counter}"
        stream = OutboundStream(key, resumable=resumable)
        self._streams[stream.key] = stream
        self._prune()
        return stream

    def find_event(self, event_id: str) -> tuple[OutboundStream, int] | None:
        """Map a ``Last-Event-ID`` to its stream and sequence number; ``None`` for any id
        we did not issue (``isdigit`` alone admits ``²`` and digits beyond ``int()``'s limit)."""
        key, sep, seq = event_id.strip().rpartition("/")
        stream = self._streams.get(key) if sep else None
        if stream is None or not (seq.isascii() and seq.isdigit() and len(seq) <= 20):
            return None
        return stream, int(seq)

    def close_all(self) -> None:
        for stream in self._streams.values():
            stream.detach()
        self._streams.clear()

    def _prune(self) -> None:
        """Forget the oldest finished streams, in batches so each open stays cheap."""
        if len(self._streams) <= 2 * self._keep_finished:
            return
        finished = [k for k, s in self._streams.items() if s.finished and not s.attached]
        for key in finished[: max(0, len(finished) - self._keep_finished)]:
            del self._streams[key]
