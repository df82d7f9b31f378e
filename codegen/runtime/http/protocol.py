"""HTTP/1.1 connections for the MCP server: uvicorn runs the server (sockets, signals,
lifespan, graceful shutdown), this protocol runs each connection.

Why not uvicorn's own protocol: an MCP POST is one small JSON body answered by one
small JSON body, and uvicorn's general per-request machinery (flow-control objects,
a regex over every response header, a keep-alive timer armed per request, two writes
per response, access-log checks) cost about 40 µs of server CPU per request here, a
fifth of a whole ``tools/call``. This protocol serves any ASGI HTTP app, with less
work per request:

* one ``transport.write`` per response when the app sends its body in one message
  (head and body are joined), chunked encoding when it streams (SSE);
* keep-alive, pipelining (requests are answered in order, reading pauses while one
  waits), ``Expect: 100-continue``, HEAD, HTTP/1.0;
* hostile input ends in a short error and a closed connection: malformed requests
  (400), oversized heads (431), upgrade requests (the app is not asked), a request
  stalled halfway for the keep-alive timeout (408);
* backpressure both ways: reading pauses while an unread body piles up, ``send``
  waits while the transport's buffer is full.

When the client closes its side, apps hear ``http.disconnect`` but requests already
received are still answered (see :meth:`HttpProtocol.eof_received`); websockets are
not served. When the server stops, a connection drains (:meth:`HttpProtocol.shutdown`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Iterable
from email.utils import formatdate
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote

import httptools
from mcp_foundry.runtime.http.asgi import RETRY_AFTER_S

log = logging.getLogger("mcp_foundry.runtime.http")

MAX_HEAD_BYTES = 64 * 1024
"""Request line plus headers: beyond this the request is refused with 431."""
BODY_HIGH_WATER = 256 * 1024
"""Unread request body buffered before reading pauses."""
MAX_PIPELINED = 16
"""Requests waiting behind the one being answered before reading pauses."""
_CACHED_PATHS = 256
_UNAVAILABLE = (
    b'{"jsonrpc":"2.0","id":null,"error":{"code":-32603,'
    b'"message":"Server shutting down; the request was not accepted"}}'
)


def _status_line(status: int) -> bytes:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    return f"HTTP/1.1 {status} {phrase}\r\n".encode("latin-1")


STATUS_LINES = {status.value: _status_line(status.value) for status in HTTPStatus}
"""Every status with a name; another one (a 299, say) gets its line built when sent. Not
every number of 100..599: each unnamed one cost HTTPStatus a ValueError at start."""
_NO_BODY_STATUSES = frozenset({204, 304})
_ASGI = {"version": "3.0", "spec_version": "2.4"}
"""The scope's ``asgi`` entry, one dict for every request (apps only read it)."""
_PLAIN_TEXT = ((b"content-type", b"text/plain; charset=utf-8"),)


class _Clock:
    """The ``Date`` header, formatted once per second rather than once per response."""

    second = -1
    header = b""

    @classmethod
    def date(cls) -> bytes:
        now = int(time.time())
        if now != cls.second:
            cls.second = now
            cls.header = b"date: " + formatdate(now, usegmt=True).encode() + b"\r\n"
        return cls.header


_paths: dict[bytes, tuple[str, bytes, bytes]] = {}


def _split_target(target: bytes) -> tuple[str, bytes, bytes]:
    """``(path, raw_path, query_string)`` of a request target (cached: clients repeat it)."""
    found = _paths.get(target)
    if found is None:
        url = httptools.parse_url(target)
        raw_path = url.path or b"/"
        found = (unquote(raw_path.decode("latin-1")), raw_path, url.query or b"")
        if len(_paths) < _CACHED_PATHS:
            _paths[target] = found
    return found


_LENGTH, _CLOSE = "content-length", "close"
"""What a response header line means to the framing (else ``None``)."""
_LINES: dict[Any, tuple[bytes, str | None]] = {}
"""Response header lines by ``(name, value)``, with their meaning to the framing."""
MAX_CACHED_LINES = 512
"""Bounded: pairs that vary per response (a length, a date) are formatted each time."""


def _header_line(name: bytes, value: bytes) -> tuple[bytes, str | None]:
    """One response header line and what it means to the framing; a name or value
    holding a line break would split the head, and is refused."""
    line = b"%b: %b\r\n" % (name, value)
    if line.count(b"\n") != 1 or line.count(b"\r") != 1:
        raise RuntimeError("a response header holds a line break")
    lowered = name.lower()
    if lowered == b"content-length":
        return line, _LENGTH
    if lowered == b"connection" and value.lower() == b"close":
        return line, _CLOSE
    return line, None


class Exchange:
    """One request and its response: the ``receive`` and ``send`` an ASGI app gets."""

    __slots__ = (
        "conn",
        "scope",
        "head_request",
        "keep_alive",
        "expect_continue",
        "chunks",
        "buffered",
        "paused",
        "body_done",
        "body_sent",
        "waiter",
        "status",
        "header_block",
        "has_length",
        "started",
        "head_written",
        "chunked",
        "complete",
        "disconnected",
        "client_done",
    )

    def __init__(self, conn: HttpProtocol, scope: dict[str, Any], keep_alive: bool) -> None:
        self.conn = conn
        self.scope = scope
        self.head_request = scope["method"] == "HEAD"
        self.keep_alive = keep_alive
        self.expect_continue = False
        self.chunks: list[bytes] = []
        self.buffered = 0
        self.paused = False
        self.body_done = False
        self.body_sent = False
        self.waiter: asyncio.Future[None] | None = None
        self.status = 200
        self.header_block = b""
        """The response's own header lines, formatted (``_take_headers``)."""
        self.has_length = False
        self.started = False
        self.head_written = False
        self.chunked = False
        self.complete = False
        self.disconnected = False
        self.client_done = False
        """The client closed its side: the app hears ``http.disconnect``, but what it
        still writes goes out (the client may be reading)."""

    # ---- fed by the connection ---------------------------------------------------------

    def feed(self, data: bytes) -> None:
        self.chunks.append(data)
        self.buffered += len(data)
        if self.buffered > BODY_HIGH_WATER and not self.paused:
            self.paused = True
            self.conn.pause_reading()
        if self.waiter is not None:
            self._wake()

    def end_body(self) -> None:
        self.body_done = True
        if self.waiter is not None:
            self._wake()

    def lose(self) -> None:
        self.disconnected = True
        self._wake()

    def end_input(self) -> None:
        self.client_done = True
        self._wake()

    def _wake(self) -> None:
        waiter = self.waiter
        if waiter is not None:
            self.waiter = None
            if not waiter.done():
                waiter.set_result(None)

    async def _wait(self) -> None:
        self.waiter = self.conn.loop.create_future()
        await self.waiter

    # ---- the app's side ----------------------------------------------------------------

    async def receive(self) -> dict[str, Any]:
        """The next piece of the body; once it is all read, wait for the end of the
        exchange (client gone, or response complete) and report ``http.disconnect``."""
        while not (self.disconnected or self.complete):
            if self.chunks or (self.body_done and not self.body_sent):
                chunks = self.chunks
                body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
                self.chunks = []
                self.buffered = 0
                if self.paused:
                    self.paused = False
                    self.conn.resume_reading()
                more = not self.body_done
                self.body_sent = not more
                return {"type": "http.request", "body": body, "more_body": more}
            if self.client_done:
                break
            if self.expect_continue and not self.started:
                self.expect_continue = False
                self.conn.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            await self._wait()
        return {"type": "http.disconnect"}

    async def send(self, message: Any) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            if self.started:
                raise RuntimeError("http.response.start sent twice")
            self._take_headers(message.get("headers", ()))
            self.started = True
            self.status = message["status"]
            return
        if kind != "http.response.body":
            raise RuntimeError(f"unexpected ASGI message {kind!r}")
        if not self.started:
            raise RuntimeError("http.response.body before http.response.start")
        if self.complete:
            raise RuntimeError("http.response.body after the response completed")
        if self.disconnected:
            return  # the client is gone: nothing to write to (the app finds out via receive)
        self._write(message.get("body", b""), message.get("more_body", False))
        if not self.complete and self.conn.writing_paused:
            await self.conn.drained()

    def fail(self) -> None:
        """The app failed before it sent anything: a plain 500, and the connection ends."""
        self.keep_alive = False
        self.started = True
        self.status = 500
        self._take_headers(_PLAIN_TEXT)
        self._write(b"Internal Server Error", False)

    def _take_headers(self, headers: Iterable[tuple[bytes, bytes]]) -> None:
        """Format the app's response headers once, refusing any that would break the head.
        Apps send the same few pairs again and again (content type, session id), so a
        pair's line is formatted and checked once and then found by the pair."""
        lines = []
        has_length = False
        for header in headers:
            try:
                found = _LINES.get(header)
            except TypeError:  # not hashable (ASGI allows any pair, a list too)
                found = _header_line(*header)
            else:
                if found is None:
                    found = _header_line(*header)
                    if len(_LINES) < MAX_CACHED_LINES:
                        _LINES[header] = found
            line, kind = found
            lines.append(line)
            if kind is _LENGTH:
                has_length = True
            elif kind is _CLOSE:
                self.keep_alive = False
        self.header_block = b"".join(lines)
        self.has_length = has_length

    def _write(self, body: bytes, more: bool) -> None:
        data = b""
        if not self.head_written:
            self.head_written = True
            data = self._head(body, more)
        if body and not self.head_request and self.status not in _NO_BODY_STATUSES:
            data += b"%x\r\n%b\r\n" % (len(body), body) if self.chunked else body
        if not more:
            self.complete = True
            if self.chunked:
                data += b"0\r\n\r\n"
        if data:
            self.conn.write(data)
        if self.complete:
            if self.waiter is not None:
                self._wake()
            self.conn.response_complete(self)

    def _head(self, body: bytes, more: bool) -> bytes:
        status = self.status
        lines = [STATUS_LINES.get(status) or _status_line(status), self.header_block]
        if not self.has_length and status not in _NO_BODY_STATUSES:
            if not more:
                lines.append(b"content-length: %d\r\n" % len(body))
            elif self.scope["http_version"] == "1.1":
                self.chunked = True
                lines.append(b"transfer-encoding: chunked\r\n")
            else:
                self.keep_alive = False  # an HTTP/1.0 stream ends with its connection
        if not self.body_done:
            # answered before the whole body arrived: the rest cannot be skipped
            # reliably, so the connection ends with this response (RFC 9112 section 9.6)
            self.keep_alive = False
        if self.conn.draining and not self.conn.waiting:
            self.keep_alive = False  # stopping: nothing left to answer after this
        if not self.keep_alive:
            lines.append(b"connection: close\r\n")
        lines.append(_Clock.date())
        lines.append(b"\r\n")
        return b"".join(lines)


class HttpProtocol(asyncio.Protocol):
    """One HTTP/1.1 connection; uvicorn constructs it (``http=HttpProtocol``).

    Of uvicorn's per-connection settings it honours ``root_path``, ``timeout_keep_alive``
    and ``limit_max_requests``; ``limit_concurrency`` and websockets are not served."""

    def __init__(
        self,
        config: Any,
        server_state: Any,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        if not config.loaded:
            config.load()
        self.app = config.loaded_app
        self.root_path: str = config.root_path
        self._raw_root = self.root_path.encode()
        self.keep_alive_s: float = config.timeout_keep_alive
        self.loop = _loop or asyncio.get_event_loop()
        self.server_state = server_state
        self.app_state = app_state
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        self.sockname: Any = None
        self.peername: Any = None
        self.current: Exchange | None = None
        """The exchange whose response is being written."""
        self.waiting: deque[Exchange] = deque()
        """Pipelined requests behind it, answered in order."""
        self.reading: Exchange | None = None
        """The exchange whose body the parser is reading."""
        self.writing_paused = False
        self._drain: asyncio.Future[None] | None = None
        self._reading_paused = 0
        self._idle_timer: asyncio.TimerHandle | None = None
        self._idle_since: float | None = None
        """Since when the client owes us bytes (between requests, or inside one);
        ``None`` while the app has the request."""
        self._partial = False
        """A request has begun arriving but is not complete."""
        self._closing = False
        self.draining = False
        """The server is stopping: requests not yet started are refused with 503."""
        self._eof = False
        self._url = b""
        self._headers: list[tuple[bytes, bytes]] = []
        self._head_bytes = 0

    # ---- connection lifecycle ----------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's is not a subclass
        self.sockname = transport.get_extra_info("sockname")
        self.peername = transport.get_extra_info("peername")
        self.server_state.connections.add(self)
        self._wait_for_client()

    def connection_lost(self, exc: Exception | None) -> None:
        self.server_state.connections.discard(self)
        self._closing = True
        self._cancel_idle_timer()
        for exchange in (self.current, *self.waiting):
            if exchange is not None and not exchange.complete:
                exchange.lose()
        self.waiting.clear()
        self.resume_writing()

    def eof_received(self) -> bool:
        """The client closed its side. Every app hears ``http.disconnect`` (closing is
        how a 2026-07-28 client cancels), yet what the apps still answer is written, and
        requests already received are served: a client that only half-closed reads them.
        The connection closes after the last answer."""
        self._eof = True
        reading = self.reading
        if reading is not None and not reading.body_done:
            reading.lose()  # its body can never be finished, so it goes unanswered
            if reading is self.current:
                return False  # nothing else can follow it: the transport closes itself
            self.waiting.remove(reading)
        if self.current is None:
            return False
        for exchange in (self.current, *self.waiting):
            exchange.end_input()
        return True

    def shutdown(self) -> None:
        """The server is stopping: the request being answered finishes; every request not
        yet started, now or later, gets 503 with ``Retry-After`` (a kept-alive client learns
        why rather than finding the connection gone), and the connection closes once
        nothing is left to answer; idle, it stays open until :meth:`finish_drain`."""
        self.draining = True

    def finish_drain(self) -> None:
        """The server's drain is over: close (what is already written still goes out)."""
        self._close()

    def pause_writing(self) -> None:
        self.writing_paused = True

    def resume_writing(self) -> None:
        self.writing_paused = False
        if self._drain is not None:
            if not self._drain.done():
                self._drain.set_result(None)
            self._drain = None

    async def drained(self) -> None:
        if self._drain is None:
            self._drain = self.loop.create_future()
        await self._drain

    def pause_reading(self) -> None:
        self._reading_paused += 1
        if self._reading_paused == 1 and self.transport is not None:
            self.transport.pause_reading()

    def resume_reading(self) -> None:
        if self._reading_paused:
            self._reading_paused -= 1
            if self._reading_paused == 0 and self.transport is not None:
                if not self._closing:
                    self.transport.resume_reading()

    def write(self, data: bytes) -> None:
        if self.transport is not None and not self._closing:
            self.transport.write(data)

    def _close(self) -> None:
        self._closing = True
        self._cancel_idle_timer()
        if self.transport is not None:
            self.transport.close()

    def _wait_for_client(self) -> None:
        """Start the clock: the client has ``keep_alive_s`` to send its next bytes. The
        timer is lazy: not re-armed per request, it checks on firing whether the client
        really was silent that long."""
        self._idle_since = self.loop.time()
        if self._idle_timer is None:
            self._idle_timer = self.loop.call_later(self.keep_alive_s, self._idle_check)

    def _idle_check(self) -> None:
        self._idle_timer = None
        if self._idle_since is None:
            return  # busy: the clock restarts when its response is done
        left = self._idle_since + self.keep_alive_s - self.loop.time()
        if left > 0:
            self._idle_timer = self.loop.call_later(left, self._idle_check)
        elif self._partial:
            self._refuse(408, b"Request Timeout")  # a request stalled halfway
        else:
            self._close()

    def _cancel_idle_timer(self) -> None:
        if self._idle_timer is not None:
            self._idle_timer.cancel()
            self._idle_timer = None

    # ---- reading -----------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if self._closing:
            return
        try:
            self.parser.feed_data(data)
            reading = self.reading
            if reading is not None and not reading.body_done:
                self._wait_for_client()  # a body on its way: the client owes the rest
        except httptools.HttpParserUpgrade:
            self._refuse(400, b"Upgrade is not supported")
        except httptools.HttpParserError:
            if self._head_bytes > MAX_HEAD_BYTES:
                self._refuse(431, b"Request Header Fields Too Large")
            else:
                self._refuse(400, b"Bad Request")

    def _refuse(self, status: int, reason: bytes) -> None:
        """Answer a request that cannot be served (the parser rejected it, or the client
        stalled halfway through it), then hang up: the byte stream is unusable.

        The answer is only written where it cannot be mistaken for another request's."""
        current = self.current
        if current is None or not current.started:
            self.write(
                STATUS_LINES[status]
                + b"content-type: text/plain; charset=utf-8\r\nconnection: close\r\n"
                + b"content-length: %d\r\n\r\n%b" % (len(reason), reason)
            )
        log.info("closing an HTTP connection: %s", reason.decode())
        self._close()
        for exchange in (current, *self.waiting):
            if exchange is not None and not exchange.complete:
                exchange.lose()
        self.waiting.clear()

    def on_message_begin(self) -> None:
        self._partial = True  # the head's own state is reset once the head is complete

    def on_url(self, url: bytes) -> None:
        self._url += url
        self._head_bytes += len(url)
        if self._head_bytes > MAX_HEAD_BYTES:
            raise ValueError("request head too large")

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_bytes += len(name) + len(value)
        if self._head_bytes > MAX_HEAD_BYTES:
            raise ValueError("request head too large")
        self._headers.append((name.lower(), value))

    def on_headers_complete(self) -> None:
        parser = self.parser
        if parser.should_upgrade():
            return  # feed_data raises HttpParserUpgrade next; the app never sees it
        self.server_state.total_requests += 1  # uvicorn's ``limit_max_requests`` counts these
        target, headers = self._url, self._headers
        self._url, self._headers, self._head_bytes = b"", [], 0
        path, raw_path, query = _paths.get(target) or _split_target(target)
        root = self.root_path
        scope = {
            "type": "http",
            "asgi": _ASGI,
            "http_version": parser.get_http_version(),
            "server": self.sockname,
            "client": self.peername,
            "scheme": "http",
            "method": parser.get_method().decode("ascii"),
            "root_path": root,
            "path": root + path if root else path,
            "raw_path": self._raw_root + raw_path if root else raw_path,
            "query_string": query,
            "headers": headers,
            "state": self.app_state.copy(),
        }
        exchange = Exchange(self, scope, parser.should_keep_alive())
        exchange.expect_continue = (b"expect", b"100-continue") in headers
        self.reading = exchange
        if self.current is None:
            self._start(exchange)
        else:
            self.waiting.append(exchange)
            if len(self.waiting) == MAX_PIPELINED:
                self.pause_reading()

    def on_body(self, body: bytes) -> None:
        if self.reading is not None:
            self.reading.feed(body)

    def on_message_complete(self) -> None:
        self._partial = False
        self._idle_since = None
        reading = self.reading
        if reading is not None:
            self.reading = None
            reading.end_body()

    # ---- running the app ---------------------------------------------------------------

    def _start(self, exchange: Exchange) -> None:
        self.current = exchange
        run = self._unavailable(exchange) if self.draining else self._run(exchange)
        task = self.loop.create_task(run)
        tasks = self.server_state.tasks
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    async def _run(self, exchange: Exchange) -> None:
        try:
            await self.app(exchange.scope, exchange.receive, exchange.send)
        except Exception:
            scope = exchange.scope
            log.exception("the ASGI app failed on %s %s", scope["method"], scope["path"])
        else:
            if exchange.complete or exchange.disconnected:
                return
            if not exchange.client_done:  # else the app gave up on a client that left
                log.error("the ASGI app returned without completing its response")
        if exchange.complete or exchange.disconnected:
            return
        if exchange.started or exchange.client_done:
            exchange.lose()  # a response cut short can only end with its connection
            self._close()
        else:
            exchange.fail()

    async def _unavailable(self, exchange: Exchange) -> None:
        """Refuse a request because the server is stopping (the app never sees it)."""
        headers = [
            (b"content-type", b"application/json"),
            (b"retry-after", b"%d" % RETRY_AFTER_S),
        ]
        await exchange.send({"type": "http.response.start", "status": 503, "headers": headers})
        await exchange.send({"type": "http.response.body", "body": _UNAVAILABLE})

    def response_complete(self, exchange: Exchange) -> None:
        """The response is written: close, start the next pipelined request, or idle."""
        if not exchange.keep_alive or self._closing or not exchange.body_done:
            self._close()
            return
        self.current = None
        if self._eof and not self.waiting:
            self._close()
        elif self.waiting:
            if len(self.waiting) == MAX_PIPELINED:
                self.resume_reading()
            self._start(self.waiting.popleft())
        else:
            self._wait_for_client()
