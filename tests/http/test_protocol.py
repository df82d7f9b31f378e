"""The HTTP/1.1 protocol under uvicorn, spoken to over raw sockets: framing, keep-alive,
pipelining, backpressure, and what happens to bad requests and failing apps."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from http_support import start_server
from hypothesis import given, settings
from hypothesis import strategies as st
from mcp_foundry.runtime.http.protocol import MAX_HEAD_BYTES

pytestmark = pytest.mark.timeout(30)

seen: list[str] = []
"""Paths the app was asked for (to prove a refused request never reached it)."""
BAD_HEADERS = {
    "value-crlf": (b"x-injected", b"a\r\nset-cookie: b"),
    "value-lf": (b"x-injected", b"a\nset-cookie: b"),
    "value-cr": (b"x-injected", b"a\rset-cookie: b"),
    "name-lf": (b"set-cookie: b\nx-injected", b"a"),
    "name-cr": (b"set-cookie: b\rx-injected", b"a"),
}
"""Response headers an app must not get onto the wire: a CR or LF anywhere in them."""


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A small ASGI app whose behaviour is picked by the path."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    path = scope["path"]
    seen.append(path)
    if path == "/echo":  # the whole body back, read in whatever pieces arrive
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if scope["query_string"] == b"slow":
            await asyncio.sleep(0.3)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})
    elif path == "/stream":  # three pieces, no length: chunked (or close-delimited)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for part in (b"one ", b"two ", b"three"):
            await send({"type": "http.response.body", "body": part, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    elif path == "/early":  # answers without reading the body
        await send({"type": "http.response.start", "status": 413, "headers": []})
        await send({"type": "http.response.body", "body": b"too big"})
    elif path == "/fail":
        raise RuntimeError("the app fails before answering")
    elif path == "/fail-late":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"part", "more_body": True})
        raise RuntimeError("the app fails halfway through")
    elif path == "/bad-header":  # a line break where the query says, beside a good header
        name, value = BAD_HEADERS[scope["query_string"].decode() or "value-crlf"]
        headers = [(b"content-type", b"text/plain"), (name, value)]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
    elif path == "/wait-disconnect":  # reports the disconnect it waits for
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"open", "more_body": True})
        while (await receive())["type"] != "http.disconnect":
            pass
        seen.append("disconnected")
    elif path == "/scope":
        query = scope["query_string"].decode()
        text = f"{scope['method']} {scope['path']} {query} {scope['http_version']}"
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": text.encode()})


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    server, thread, sock, _ = start_server(app, timeout_keep_alive=0.5)
    yield int(sock.getsockname()[1])
    server.should_exit = True
    thread.join(10)


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=5)


def read_response(sock: socket.socket, buffer: bytearray) -> tuple[int, dict[str, str], bytes]:
    """One response from ``buffer`` + the socket (content-length, chunked, or close)."""
    while b"\r\n\r\n" not in buffer:
        data = sock.recv(65536)
        if not data:
            raise ConnectionError("closed before a response head")
        buffer += data
    head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
    del buffer[:]
    buffer += rest
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {
        k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])
    }
    if status < 200:
        return status, headers, b""
    if "content-length" in headers:
        size = int(headers["content-length"])
        while len(buffer) < size:
            buffer += sock.recv(65536)
        body = bytes(buffer[:size])
        del buffer[:size]
        return status, headers, body
    if headers.get("transfer-encoding") == "chunked":
        body = b""
        while True:
            while b"\r\n" not in buffer:
                buffer += sock.recv(65536)
            line, _, rest = bytes(buffer).partition(b"\r\n")
            size = int(line, 16)
            while len(rest) < size + 2:
                rest += sock.recv(65536)
            body += rest[:size]
            del buffer[:]
            buffer += rest[size + 2 :]
            if size == 0:
                return status, headers, body
    while data := sock.recv(65536):
        buffer += data
    body = bytes(buffer)
    del buffer[:]
    return status, headers, body


def closed(sock: socket.socket) -> bool:
    """Whether the server hung up (EOF or reset) within the socket's timeout."""
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def post(path: str, body: bytes, *extra: str) -> bytes:
    head = [
        f"POST {path} HTTP/1.1",
        "Host: 127.0.0.1",
        f"Content-Length: {len(body)}",
        *extra,
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def test_keep_alive_serves_many_requests_on_one_connection(port: int) -> None:
    with connect(port) as sock:
        buffer = bytearray()
        for n in range(5):
            sock.sendall(post("/echo", f"message {n}".encode()))
            status, headers, body = read_response(sock, buffer)
            assert (status, body) == (200, f"message {n}".encode())
            assert headers["content-length"] == str(len(body))
            assert "date" in headers and "connection" not in headers


def test_pipelined_requests_are_answered_in_order(port: int) -> None:
    with connect(port) as sock:
        # the first is slow, so the others wait behind it rather than overtaking
        burst = post("/echo?slow", b"first") + b"".join(
            post("/echo", f"then {n}".encode()) for n in range(20)
        )
        sock.sendall(burst)
        buffer = bytearray()
        answers = [read_response(sock, buffer)[2] for _ in range(21)]
        assert answers == [b"first", *(f"then {n}".encode() for n in range(20))]


def test_chunked_request_body_reaches_the_app_whole(port: int) -> None:
    with connect(port) as sock:
        pieces = [b"alpha", b"-", b"omega" * 1000]
        chunked = b"".join(b"%x\r\n%b\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"
        sock.sendall(
            b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked
        )
        assert read_response(sock, bytearray())[2] == b"".join(pieces)


def test_a_large_body_arrives_intact_through_backpressure(port: int) -> None:
    body = bytes(range(256)) * 16 * 1024  # 4 MiB, many times the pause threshold
    with connect(port) as sock:
        sock.sendall(post("/echo?slow", body))
        status, _, echoed = read_response(sock, bytearray())
        assert status == 200 and echoed == body


def test_streamed_response_is_chunked_on_http_1_1(port: int) -> None:
    with connect(port) as sock:
        sock.sendall(b"GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
        buffer = bytearray()
        status, headers, body = read_response(sock, buffer)
        assert headers["transfer-encoding"] == "chunked" and body == b"one two three"
        sock.sendall(post("/echo", b"still open"))
        assert read_response(sock, buffer)[2] == b"still open"


def test_streamed_response_to_http_1_0_ends_with_the_connection(port: int) -> None:
    with connect(port) as sock:
        sock.sendall(b"GET /stream HTTP/1.0\r\nHost: x\r\n\r\n")
        status, headers, body = read_response(sock, bytearray())
        assert "transfer-encoding" not in headers and headers["connection"] == "close"
        assert body == b"one two three"


def test_http_1_0_without_keep_alive_is_closed_after_the_answer(port: int) -> None:
    with connect(port) as sock:
        sock.sendall(b"GET /scope?a=b HTTP/1.0\r\nHost: x\r\n\r\n")
        status, headers, body = read_response(sock, bytearray())
        assert body == b"GET /scope a=b 1.0" and headers["connection"] == "close"
        assert closed(sock)


def test_percent_encoded_paths_are_decoded_in_the_scope(port: int) -> None:
    with connect(port) as sock:
        sock.sendall(b"GET /sc%6Fpe HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_response(sock, bytearray())[2] == b"GET /scope  1.1"


def test_expect_100_continue_gets_an_interim_answer(port: int) -> None:
    with connect(port) as sock:
        sock.sendall(
            b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"
        )
        buffer = bytearray()
        status, _, _ = read_response(sock, buffer)
        assert status == 100
        sock.sendall(b"hello")
        status, _, body = read_response(sock, buffer)
        assert (status, body) == (200, b"hello")


def test_head_gets_headers_without_a_body(port: int) -> None:
    with connect(port) as sock:
        sock.sendall(b"HEAD /scope HTTP/1.1\r\nHost: x\r\n\r\n")
        sock.settimeout(0.5)
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except TimeoutError:
            pass
        head, _, body = data.partition(b"\r\n\r\n")
        assert b"content-length: 16" in head and body == b""  # "HEAD /scope  1.1"


def test_an_answer_before_the_body_ends_the_connection(port: int) -> None:
    with connect(port) as sock:
        sock.sendall(b"POST /early HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nabc")
        status, headers, body = read_response(sock, bytearray())
        assert (status, body, headers["connection"]) == (413, b"too big", "close")
        assert closed(sock)


def test_malformed_request_is_400_and_closed(port: int) -> None:
    with connect(port) as sock:
        sock.sendall(b"THIS IS NOT HTTP\r\n\r\n")
        status, headers, _ = read_response(sock, bytearray())
        assert status == 400 and headers["connection"] == "close"
        assert closed(sock)


def test_oversized_head_is_431_and_never_reaches_the_app(port: int) -> None:
    seen.clear()
    with connect(port) as sock:
        filler = "x" * 8000
        head = "GET /scope HTTP/1.1\r\nHost: x\r\n" + "".join(
            f"X-Filler-{n}: {filler}\r\n" for n in range(MAX_HEAD_BYTES // 8000 + 2)
        )
        try:
            sock.sendall(head.encode())
        except ConnectionError:
            pass  # the server may hang up while the head is still being sent
        status, _, _ = read_response(sock, bytearray())
        assert status == 431
    assert "/scope" not in seen


def test_upgrade_requests_are_refused_without_the_app(port: int) -> None:
    seen.clear()
    with connect(port) as sock:
        sock.sendall(
            b"GET /scope HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"
        )
        status, _, body = read_response(sock, bytearray())
        assert status == 400 and b"Upgrade" in body
        assert closed(sock)
    assert seen == []


def test_an_app_failing_before_its_answer_gives_500(port: int) -> None:
    with connect(port) as sock:
        sock.sendall(b"GET /fail HTTP/1.1\r\nHost: x\r\n\r\n")
        status, headers, body = read_response(sock, bytearray())
        assert status == 500 and body == b"Internal Server Error"
        assert closed(sock)


def test_an_app_failing_halfway_cuts_the_connection(port: int) -> None:
    with connect(port) as sock:
        sock.sendall(b"GET /fail-late HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
        assert b"part" in data and not data.endswith(b"0\r\n\r\n")


@pytest.mark.parametrize("case", sorted(BAD_HEADERS))
def test_header_injection_by_the_app_is_refused(port: int, case: str) -> None:
    with connect(port) as sock:
        sock.sendall(f"GET /bad-header?{case} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        status, headers, body = read_response(sock, bytearray())
        assert status == 500 and body == b"Internal Server Error"
        assert "set-cookie" not in headers and "x-injected" not in headers
        assert headers["content-type"] == "text/plain; charset=utf-8"


def test_the_app_hears_of_a_disconnect(port: int) -> None:
    seen.clear()
    with connect(port) as sock:
        sock.sendall(b"GET /wait-disconnect HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(65536)
    deadline = time.monotonic() + 5
    while "disconnected" not in seen:
        assert time.monotonic() < deadline, "the app never saw the disconnect"
        time.sleep(0.02)


def test_idle_connections_are_closed_after_the_keep_alive_timeout(port: int) -> None:
    with connect(port) as sock:
        sock.sendall(post("/echo", b"x"))
        read_response(sock, bytearray())
        started = time.monotonic()
        assert closed(sock)
        assert time.monotonic() - started < 3


@pytest.mark.parametrize(
    "stalled",
    [b"POST /echo HTTP/1.1\r\nHost: x\r\n", post("/echo", b"0123456789")[:-4]],
    ids=["head", "body"],
)
def test_a_request_stalled_halfway_gets_408_and_is_closed(port: int, stalled: bytes) -> None:
    with connect(port) as sock:
        sock.sendall(stalled)  # and nothing more
        started = time.monotonic()
        status, headers, _ = read_response(sock, bytearray())
        assert status == 408 and headers["connection"] == "close"
        assert closed(sock)
        assert time.monotonic() - started < 3


def test_a_body_that_keeps_arriving_outlives_the_keep_alive_timeout(port: int) -> None:
    """Each piece of a slow body restarts the clock: only silence is a stall."""
    body = b"0123456789ab"
    request = post("/echo", body)
    with connect(port) as sock:
        sock.sendall(request[: -len(body)])
        for start in range(0, len(body), 2):
            time.sleep(0.25)  # six pieces over 1.5 s, the timeout being 0.5 s
            sock.sendall(body[start : start + 2])
        status, _, answer = read_response(sock, bytearray())
        assert (status, answer) == (200, body)


def test_a_half_closed_connection_still_gets_every_answer(port: int) -> None:
    with connect(port) as sock:
        burst = post("/echo?slow", b"first") + b"".join(
            post("/echo", f"then {n}".encode()) for n in range(5)
        )
        sock.sendall(burst)
        sock.shutdown(socket.SHUT_WR)  # nothing more will come, but we keep reading
        buffer = bytearray()
        answers = [read_response(sock, buffer)[2] for _ in range(6)]
        assert answers == [b"first", *(f"then {n}".encode() for n in range(5))]
        assert closed(sock)


def test_a_half_close_inside_a_body_drops_only_that_request(port: int) -> None:
    with connect(port) as sock:
        unfinished = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\npart"
        sock.sendall(post("/echo?slow", b"whole") + unfinished)
        sock.shutdown(socket.SHUT_WR)
        buffer = bytearray()
        assert read_response(sock, buffer)[2] == b"whole"
        assert closed(sock)


@settings(max_examples=40, deadline=None)
@given(
    bodies=st.lists(st.binary(min_size=0, max_size=300), min_size=1, max_size=6),
    cuts=st.lists(st.integers(min_value=1, max_value=4000), max_size=12),
    chunked=st.booleans(),
)
def test_requests_cut_anywhere_arrive_whole_and_in_order(
    port: int, bodies: list[bytes], cuts: list[int], chunked: bool
) -> None:
    """However the bytes of a pipelined burst are split into writes, every request is
    parsed whole and answered in order."""
    if chunked:
        stream = b"".join(
            b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            + (b"%x\r\n%b\r\n" % (len(body), body) if body else b"")
            + b"0\r\n\r\n"
            for body in bodies
        )
    else:
        stream = b"".join(post("/echo", body) for body in bodies)
    points = sorted({c % len(stream) for c in cuts} - {0})
    pieces = [stream[a:b] for a, b in zip([0, *points], [*points, len(stream)], strict=True)]
    with connect(port) as sock:
        for piece in pieces:
            sock.sendall(piece)
            time.sleep(0.001)
        buffer = bytearray()
        assert [read_response(sock, buffer)[2] for _ in bodies] == bodies


def test_limit_max_requests_stops_the_server() -> None:
    server, thread, sock, _ = start_server(app, limit_max_requests=3)
    port = int(sock.getsockname()[1])
    with connect(port) as conn:
        buffer = bytearray()
        for n in range(3):
            conn.sendall(post("/echo", f"{n}".encode()))
            assert read_response(conn, buffer)[2] == f"{n}".encode()
    thread.join(10)  # uvicorn exits once it has counted three requests
    assert not thread.is_alive()
