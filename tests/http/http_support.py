"""Reading SSE incrementally from a streaming httpx response in tests."""

from __future__ import annotations

import time
from typing import Any

import httpx
import orjson

from codegen.runtime.http.sse import Event, EventParser


class SseReader:
    def __init__(self, response: httpx.Response) -> None:
        self.parser = EventParser()
        self._chunks = response.iter_raw()
        self._pending: list[Event] = []
        self.keepalives = 0

    def next_event(self) -> Event:
        while not self._pending:
            chunk = next(self._chunks)
            if chunk.startswith(b":"):
                self.keepalives += 1
            self._pending.extend(self.parser.feed(chunk))
        return self._pending.pop(0)

    def next_message(self) -> dict[str, Any]:
        while True:
            event = self.next_event()
            if event.data:
                found: dict[str, Any] = orjson.loads(event.data)
                return found

    def saw_keepalive_within(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while self.keepalives == 0 and time.monotonic() < deadline:
            chunk = next(self._chunks)
            if chunk.startswith(b":"):
                self.keepalives += 1
            self._pending.extend(self.parser.feed(chunk))
        return self.keepalives > 0


def raw_request(
    url: str, headers: dict[str, str], body: bytes, method: str = "POST"
) -> bytes:
    """Bytes exactly as given (no client-side header hygiene) → the raw HTTP/1.1 request."""
    path = "/" + url.split("//")[1].split("/", 1)[1]
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: localhost",
        f"Content-Length: {len(body)}",
        "Connection: close",
    ]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def raw_exchange(url: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
    """Send one raw request and read the whole answer: (status, body)."""
    import socket

    host, port = url.split("//")[1].split("/")[0].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(raw_request(url, headers, body))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), rest


def _all_events(body: bytes) -> list[Event]:
    return list(EventParser().feed(body))


SseReader.all = staticmethod(_all_events)  # type: ignore[attr-defined]
