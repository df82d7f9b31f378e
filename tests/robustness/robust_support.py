"""Shared pieces of the robustness suite: the attacked server as a process (stdio or
HTTP), raw clients for both, the leak check, and hypothesis strategies."""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson
from hypothesis import strategies as st
from robust_app import SECRET

HERE = Path(__file__).resolve().parent
APP = [sys.executable, str(HERE / "robust_app.py")]
MODERN = "2026-07-28"
LEGACY = ("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25")
JSON_RPC_CODES = {-32700, -32600, -32601, -32602, -32603, -32020, -32021, -32022}
MODERN_META = {
    "io.modelcontextprotocol/protocolVersion": MODERN,
    "io.modelcontextprotocol/clientCapabilities": {},
}
FORBIDDEN = (
    SECRET.split()[0],
    "/srv/keys",
    "Traceback",
    'File "',
    "site-packages",
    str(HERE.parents[1]),  # the checkout: any source path
    sys.prefix,
)
"""What a response must never carry: the tools' secret, tracebacks, server paths."""


def dumps(message: Any) -> bytes:
    """As orjson writes (NaN as null), but also ids beyond 64 bits and deep nesting."""
    try:
        return orjson.dumps(message)
    except TypeError:
        return json.dumps(message).encode()


def loads(data: bytes | str) -> Any:
    """Exact integers beyond 64 bits (orjson reads them as floats)."""
    return json.loads(data)


def depth(value: Any) -> int:
    """How many levels of objects and arrays ``value`` nests (a message is level 1)."""
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    return 0


def too_deep(message: Any) -> bool:
    """Refused with -32600 by both eras (the runtime's ``wire.MAX_DEPTH``)."""
    return depth(message) > 128


def assert_no_leak(data: bytes | str) -> None:
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    for marker in FORBIDDEN:
        assert marker not in text, f"a response leaks {marker!r}: {text[:500]}"


def clean_text(value: str) -> bool:
    """Fuzzed text that could not be mistaken for a leak when a server echoes it."""
    return not any(marker in value for marker in FORBIDDEN) and "SECRET" not in value


# ---- strategies -------------------------------------------------------------------------

texts = st.text(max_size=12).filter(clean_text)
ints = st.integers(-(2**53), 2**53)
"""JSON integers any peer can hold."""
big_ints = ints | st.integers(-(2**80), 2**80)
"""Ids may go beyond 64 bits: they are answered under the same id."""
json_values = st.recursive(
    st.none() | st.booleans() | ints | st.floats(allow_nan=False, allow_infinity=False) | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=12,
)
METHODS = [
    "ping",
    "initialize",
    "tools/list",
    "tools/call",
    "prompts/list",
    "prompts/get",
    "resources/list",
    "resources/read",
    "resources/templates/list",
    "completion/complete",
    "logging/setLevel",
    "server/discover",
    "notifications/cancelled",
    "tasks/get",
    "no/such/method",
    "",
]
methods = st.sampled_from(METHODS) | texts
request_ids = big_ints | texts.filter(lambda s: not s.startswith("probe"))
odd_ids = st.none() | st.booleans() | st.floats() | st.lists(ints, max_size=2)


def nested(levels: int) -> Any:
    value: Any = "leaf"
    for level in range(levels):
        value = [value] if level % 2 else {"k": value}
    return value


tool_calls = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["echo", "boom", "crash", "refuse", "nope"]) | texts,
        "arguments": st.one_of(
            json_values,
            st.fixed_dictionaries({"text": json_values}),
            st.integers(0, 300).map(lambda d: {"text": nested(d)}),
        ),
    }
)
other_params = st.one_of(
    st.fixed_dictionaries({"uri": st.sampled_from(["robust://secret", "nope://x"]) | texts}),
    st.fixed_dictionaries({"name": st.sampled_from(["failing", "nope"]), "arguments": json_values}),
    st.dictionaries(texts, json_values, max_size=4),
)


@st.composite
def requests(draw: st.DrawFn, modern: bool) -> dict[str, Any]:
    """A well-formed request with fuzzed method and params."""
    method = draw(methods)
    params = draw(tool_calls if method == "tools/call" else other_params)
    if modern:
        params["_meta"] = dict(MODERN_META)
    return {"jsonrpc": "2.0", "id": draw(request_ids), "method": method, "params": params}


@st.composite
def broken_envelopes(draw: st.DrawFn) -> tuple[Any, Any]:
    """A decoded message that is not a JSON-RPC request, and the id its error must carry."""
    request_id = draw(request_ids)
    kind = draw(st.sampled_from(["scalar", "batch", "version", "method", "params", "id", "empty"]))
    if kind == "scalar":
        scalar = ints | texts | st.booleans() | st.none()
        return draw(scalar), None
    if kind == "batch":  # no revision served here has batches
        return draw(st.lists(json_values, max_size=3)), None
    if kind == "version":
        version = draw(st.none() | texts.filter(lambda v: v != "2.0") | ints)
        return {"jsonrpc": version, "id": request_id, "method": "ping"}, request_id
    if kind == "method":
        method = draw(ints | st.lists(ints, max_size=2) | st.booleans())
        return {"jsonrpc": "2.0", "id": request_id, "method": method}, request_id
    if kind == "params":
        params = draw(ints | texts | st.lists(ints, max_size=2))
        return {"jsonrpc": "2.0", "id": request_id, "method": "ping", "params": params}, request_id
    if kind == "id":
        return {"jsonrpc": "2.0", "id": draw(odd_ids), "method": "ping"}, None
    return {"jsonrpc": "2.0"}, None


not_json = st.binary(max_size=64).filter(lambda b: b"\n" not in b and not _is_json(b))


def _is_json(data: bytes) -> bool:
    try:
        orjson.loads(data)
    except orjson.JSONDecodeError:
        return False
    return True


# ---- the server as a process ---------------------------------------------------------------


class StdioServer:
    """``robust_app.py`` on stdio: JSON lines in, JSON lines out, bounded reads."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [*APP, "stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        self.buffer = b""
        self.probes = 0

    def write(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data + b"\n")
        self.process.stdin.flush()

    def receive(self, timeout: float = 20.0) -> bytes:
        """One raw output line."""
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            assert left > 0, "the server stopped answering"
            if select.select([fd], [], [], left)[0]:
                chunk = os.read(fd, 65536)
                assert chunk, "the server closed stdout"
                self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line

    def exchange(self, data: bytes) -> list[Any]:
        """Send one line, then a ping probe; every message that came before the probe's
        answer (each checked for leaks)."""
        self.probes += 1
        probe = f"probe-{self.probes}"
        self.write(data)
        self.write(dumps({"jsonrpc": "2.0", "id": probe, "method": "ping"}))
        out = []
        while True:
            line = self.receive()
            assert_no_leak(line)
            message = loads(line)
            if isinstance(message, dict) and message.get("id") == probe:
                assert message.get("result") == {}, message
                return out
            out.append(message)

    def answer(self, request_id: Any, seen: list[Any]) -> dict[str, Any]:
        """The response to ``request_id``: among ``seen``, or still to come."""
        while True:
            found = [m for m in seen if isinstance(m, dict) and m.get("id") == request_id]
            if found:
                assert len(found) == 1, found
                return found[0]  # type: ignore[no-any-return]
            line = self.receive()
            assert_no_leak(line)
            seen.append(loads(line))

    def stop(self) -> str:
        """Close stdin, wait for the exit; what the server logged."""
        assert self.process.stdin is not None and self.process.stderr is not None
        self.process.stdin.close()
        try:
            self.process.wait(30)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
        return self.process.stderr.read().decode(errors="replace")


class HttpServer:
    """``robust_app.py`` over HTTP on 127.0.0.1."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [*APP, "http"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        assert self.process.stdout is not None
        self.port = int(self.process.stdout.readline())

    def raw(self, data: bytes, timeout: float = 10.0, *, half_close: bool = False) -> bytes:
        """Write ``data`` on a fresh connection and read until the server closes it.

        ``half_close`` ends the sending side after ``data`` (a body cut short then ends at
        once); the server takes that for a client gone, so a request whose handler does
        not answer at once (a sync tool on its thread) may get no answer."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as sock:
            try:
                sock.sendall(data)
                if half_close:
                    sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass  # the server may refuse before reading it all
            out = b""
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                try:
                    chunk = sock.recv(65536)
                except ConnectionResetError:
                    break
                if not chunk:
                    break
                out += chunk
            return out

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()


def http_request(
    method: str, path: str, headers: list[tuple[str, str]], body: bytes = b""
) -> bytes:
    """One HTTP/1.1 request, byte for byte, ending the connection after it."""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    lines += [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def responses(raw: bytes) -> list[tuple[int, dict[str, str], bytes]]:
    """Status, headers and (de-chunked) body of every response in ``raw``."""
    out = []
    while raw:
        head, sep, rest = raw.partition(b"\r\n\r\n")
        assert sep, f"a truncated response head: {raw[:200]!r}"
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {
            k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])
        }
        if headers.get("transfer-encoding") == "chunked":
            body = b""
            while True:
                size_line, _, rest = rest.partition(b"\r\n")
                size = int(size_line, 16)
                if size == 0:
                    rest = rest[2:]
                    break
                body, rest = body + rest[:size], rest[size + 2 :]
        else:
            length = int(headers.get("content-length", "0"))
            body, rest = rest[:length], rest[length:]
        out.append((status, headers, body))
        raw = rest
    return out
