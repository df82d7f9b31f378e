"""Helpers for the shutdown tests: the drain server as a process, raw keep-alive
connections that read one response at a time."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from http_support import LEGACY, MODERN, initialize, meta

SERVER = Path(__file__).with_name("drain_server.py")


class DrainServer:
    """``drain_server.py`` in a subprocess; :meth:`stop` sends SIGTERM."""

    def __init__(self, drain_s: float) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(SERVER), str(drain_s)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert self.process.stdout is not None
        self.port = int(self.process.stdout.readline())

    def connect(self) -> Connection:
        return Connection(socket.create_connection(("127.0.0.1", self.port), timeout=30))

    def stop(self) -> None:
        """SIGTERM, then wait until the listener is closed (the drain has begun)."""
        self.process.send_signal(signal.SIGTERM)
        for _ in range(500):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            except ConnectionRefusedError:
                return
            time.sleep(0.02)
        raise AssertionError("the listener never closed")

    def finish(self, timeout: float = 30) -> tuple[int, str]:
        """Exit status and everything logged on stderr."""
        try:
            self.process.wait(timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
        assert self.process.stderr is not None
        return self.process.returncode, self.process.stderr.read().decode(errors="replace")


@contextmanager
def draining(drain_s: float) -> Iterator[DrainServer]:
    """A drain server for the test to :meth:`~DrainServer.stop`; afterwards it must have
    exited by SIGTERM, which uvicorn re-raises once the drain is over."""
    server = DrainServer(drain_s)
    try:
        yield server
    finally:
        status, log = server.finish()
    assert status == -signal.SIGTERM, log


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def messages(self) -> list[dict[str, Any]]:
        """The JSON-RPC messages of a JSON or SSE body."""
        if self.headers.get("content-type", "").startswith("text/event-stream"):
            lines = self.body.decode().splitlines()
            return [
                orjson.loads(line[5:])
                for line in lines
                if line.startswith("data:") and line[5:].strip()
            ]
        return [orjson.loads(self.body)]


class Connection:
    """One kept-alive HTTP/1.1 connection, written and read by hand."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""

    def post(self, message: dict[str, Any], headers: dict[str, str], path: str = "/mcp") -> None:
        self.send("POST", path, headers, orjson.dumps(message))

    def send(self, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> None:
        lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)

    def _more(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("the server closed the connection")
        self.buffer += chunk

    def _take(self, marker: bytes) -> bytes:
        while marker not in self.buffer:
            self._more()
        found, self.buffer = self.buffer.split(marker, 1)
        return found

    def wait_for(self, text: bytes) -> bytes:
        """Read until ``text`` has arrived (without consuming the response); all read so far."""
        while text not in self.buffer:
            self._more()
        return self.buffer

    def response(self) -> Response:
        head = self._take(b"\r\n\r\n").decode("latin-1").split("\r\n")
        status = int(head[0].split(" ")[1])
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:])}
        if headers.get("transfer-encoding") == "chunked":
            body = b""
            while True:
                size = int(self._take(b"\r\n"), 16)
                if size == 0:
                    self._take(b"\r\n")
                    return Response(status, headers, body)
                while len(self.buffer) < size + 2:
                    self._more()
                body, self.buffer = body + self.buffer[:size], self.buffer[size + 2 :]
        length = int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            self._more()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return Response(status, headers, body)

    def close(self) -> None:
        self.sock.close()


BOTH = "application/json, text/event-stream"


def modern_call(request_id: int, seconds: float) -> tuple[dict[str, Any], dict[str, str]]:
    params = {"name": "nap", "arguments": {"seconds": seconds}, "_meta": meta(progressToken=1)}
    message = {"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": params}
    headers = {
        "accept": BOTH,
        "content-type": "application/json",
        "mcp-protocol-version": MODERN,
        "mcp-method": "tools/call",
        "mcp-name": "nap",
    }
    return message, headers


def legacy_call(request_id: int, seconds: float) -> dict[str, Any]:
    params = {"name": "nap", "arguments": {"seconds": seconds}, "_meta": {"progressToken": 1}}
    return {"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": params}


def open_session(conn: Connection) -> str:
    """``initialize`` + ``notifications/initialized`` on ``conn``; the session id."""
    conn.post(initialize(), {"accept": BOTH, "content-type": "application/json"})
    answer = conn.response()
    assert answer.status == 200
    session = answer.headers["mcp-session-id"]
    conn.post({"jsonrpc": "2.0", "method": "notifications/initialized"}, session_headers(session))
    assert conn.response().status == 202
    return session


def call_both(
    server: DrainServer, session: str, request_id: int, seconds: float
) -> tuple[Connection, Connection]:
    """The ``nap`` tool called once on each wire, each on a connection of its own: the
    modern one, then the legacy one in ``session``."""
    modern = server.connect()
    modern.post(*modern_call(request_id, seconds))
    legacy = server.connect()
    legacy.post(legacy_call(request_id, seconds), session_headers(session))
    return modern, legacy


def session_headers(session: str) -> dict[str, str]:
    return {
        "accept": BOTH,
        "content-type": "application/json",
        "mcp-session-id": session,
        "mcp-protocol-version": LEGACY,
    }
