"""Server-Sent Events framing, both ways.

The server writes frames with :func:`frame`; the client feeds raw bytes to
:class:`EventParser` and gets complete events back. Only the fields MCP uses are
handled (``id``, ``event``, ``data``, ``retry``); comments are skipped, as the SSE
standard requires.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

KEEPALIVE = b":\n\n"


def frame(
    data: bytes,
    *,
    event_id: str | None = None,
    event: str | None = None,
    retry_ms: int | None = None,
) -> bytes:
    """One SSE event. ``data`` must not contain newlines (compact JSON never does)."""
    parts: list[bytes] = []
    if event_id is not None:
        parts.append(b"id: " + event_id.encode("ascii") + b"\n")
    if event is not None:
        parts.append(b"event: " + event.encode("ascii") + b"\n")
    if retry_ms is not None:
        parts.append(b"retry: %d\n" % retry_ms)
    parts.append(b"data: " + data + b"\n\n")
    return b"".join(parts)


@dataclass(slots=True)
class Event:
    """One dispatched SSE event."""

    data: str
    event: str = "message"
    id: str | None = None
    retry_ms: int | None = None


class EventParser:
    """Incremental SSE parser: feed bytes, iterate finished events."""

    def __init__(self) -> None:
        self._buffer = b""
        self._data: list[str] = []
        self._event = ""
        self._id: str | None = None
        self._retry: int | None = None
        self._has_fields = False
        self.last_event_id: str | None = None
        """The id of the last event that carried one: what a reconnect sends back."""
        self.retry_ms: int | None = None
        """The latest ``retry`` the server asked for."""

    def feed(self, chunk: bytes) -> Iterator[Event]:
        self._buffer += chunk
        while True:
            cut = self._next_line_end()
            if cut is None:
                return
            end, skip = cut
            line = self._buffer[:end].decode("utf-8", errors="replace")
            self._buffer = self._buffer[end + skip :]
            event = self._line(line)
            if event is not None:
                yield event

    def _next_line_end(self) -> tuple[int, int] | None:
        newline = self._buffer.find(b"\n")
        carriage = self._buffer.find(b"\r")
        if carriage == -1 or (newline != -1 and newline < carriage):
            return None if newline == -1 else (newline, 1)
        if carriage + 1 == len(self._buffer):
            return None
        return carriage, 2 if self._buffer[carriage + 1] == 0x0A else 1

    def _line(self, line: str) -> Event | None:
        if line == "":
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        self._has_fields = True
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id" and "\0" not in value:
            self._id = value
        elif name == "retry" and value.isdigit():
            self._retry = int(value)
            self.retry_ms = self._retry
        return None

    def _dispatch(self) -> Event | None:
        if not self._has_fields:
            return None
        if self._id is not None:
            self.last_event_id = self._id
        event = Event(
            data="\n".join(self._data),
            event=self._event or "message",
            id=self._id,
            retry_ms=self._retry,
        )
        self._data, self._event, self._id, self._retry = [], "", None, None
        self._has_fields = False
        return event
