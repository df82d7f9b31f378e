"""Streamable HTTP benchmark: our echo server vs the official SDKs' servers.

Peers: the Python SDK's low-level server (both wires), the TypeScript SDK v1
(``@modelcontextprotocol/sdk``, sessionful, the legacy wire) and v2
(``@modelcontextprotocol/server``'s ``createMcpHandler``, the 2026-07-28 wire) on Node 22,
installed on first use by ``bench/ts_peer.py``; and two floors: ``null``, a stdlib asyncio
HTTP/1.1 server answering the same calls with no MCP library (``bench/null_server.py``), and
``uvicorn``, the same canned answers from a trivial ASGI app served exactly as ours is
(uvicorn, uvloop, our HTTP/1.1 protocol class: ``bench/asgi_null_server.py``). Between
``null`` and ``uvicorn`` lies the price of the server stack, between ``uvicorn`` and
``ours`` the price of MCP on it; the line ``uvicorn/null`` after each block says how
close to ``null`` anything on this stack can get.

Every server runs as its own process on 127.0.0.1 (ours and the Python SDK's under
uvicorn); the load comes
from this process over raw HTTP/1.1 keep-alive connections (asyncio protocols, one
pre-encoded request per call, minimal response parsing), so the client is not what
sets the pace: its own CPU use is printed next to every number.

For each wire (2025-11-25 inside an ``initialize``d session, 2026-07-28 stateless with
per-request ``_meta`` and routing headers) and each concurrency level it runs
``tools/call echo`` against every server of that wire in alternating rounds and prints
the median req/s of each, the median of the per-round ratios ours / peer (with their
range), and each server's CPU time per request (its CPU-time clock), which stays meaningful
when other work shares the machine. CPU placement is explained in :func:`place`. Every response
is checked for the echoed text.

    python bench/bench_http.py [--seconds 1] [--rounds 5] [--concurrency 1 8 32] [--split]
                               [--peers null uvicorn] [--wires 2025-11-25]
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import ctypes.util
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import Any

import orjson
import ts_peer
import uvloop

HERE = Path(__file__).resolve().parent
SERVERS = {
    "ours": lambda: [sys.executable, str(HERE / "echo_server.py"), "http", "--port"],
    "sdk": lambda: [sys.executable, str(HERE / "sdk_echo_server.py"), "http", "--port"],
    "ts-v1": lambda: [*ts_peer.server("echo_v1"), "http", "--port"],
    "ts-v2": lambda: [*ts_peer.server("echo_v2"), "http", "--port"],
    "null": lambda: [sys.executable, str(HERE / "null_server.py"), "http", "--port"],
    "uvicorn": lambda: [sys.executable, str(HERE / "asgi_null_server.py"), "http", "--port"],
    "uv-std": lambda: [
        sys.executable,
        str(HERE / "asgi_null_server.py"),
        "http",
        "--protocol",
        "httptools",
        "--port",
    ],
}
LEGACY, MODERN = "2025-11-25", "2026-07-28"
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 0,
    "method": "initialize",
    "params": {
        "protocolVersion": LEGACY,
        "capabilities": {},
        "clientInfo": {"name": "bench", "version": "1"},
    },
}
"""The legacy wire's opening request, as every benchmark sends it."""
PEERS = {
    LEGACY: ("sdk", "ts-v1", "null", "uvicorn"),
    MODERN: ("sdk", "ts-v2", "null", "uvicorn"),
}
"""Who speaks which wire here (v1 has no 2026-07-28; v2 serves 2025 traffic statelessly
only, without the session this benchmark's legacy wire opens). ``null`` is the floor, no
MCP server at all (``null_server.py``): ours/null with 1 client is the issue's "≥ 85% of
the stdlib null server". ``uvicorn`` is the floor of our stack; ``uv-std`` (not run unless
named in ``--peers``) is that floor on uvicorn's own HTTP/1.1 protocol."""
MODERN_META = {
    "io.modelcontextprotocol/protocolVersion": MODERN,
    "io.modelcontextprotocol/clientCapabilities": {},
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_request(port: int, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [
        "POST /mcp HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Content-Type: application/json",
        "Accept: application/json, text/event-stream",
        f"Content-Length: {len(body)}",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection that reads one complete response at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[tuple[int, dict[str, str], bytes]] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's is no subclass

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self._try_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError(f"server closed the connection: {exc}"))

    async def exchange(self, raw: bytes) -> tuple[int, dict[str, str], bytes]:
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(raw)
        return await self.waiter

    def _try_complete(self) -> None:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0 or self.waiter is None:
            return
        head = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        status = int(head[0].split(" ")[1])
        headers = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        start = end + 4
        if "content-length" in headers:
            stop = start + int(headers["content-length"])
            if len(self.buffer) < stop:
                return
            body = bytes(self.buffer[start:stop])
        else:
            decoded = _dechunk(self.buffer, start)
            if decoded is None:
                return
            body, stop = decoded
        del self.buffer[:stop]
        waiter, self.waiter = self.waiter, None
        waiter.set_result((status, headers, body))


def _dechunk(buffer: bytearray, start: int) -> tuple[bytes, int] | None:
    """A complete chunked body from ``start``, or None while more bytes are needed."""
    parts: list[bytes] = []
    at = start
    while True:
        line_end = buffer.find(b"\r\n", at)
        if line_end < 0:
            return None
        size = int(bytes(buffer[at:line_end]).split(b";")[0], 16)
        chunk_start = line_end + 2
        if len(buffer) < chunk_start + size + 2:
            return None
        if size == 0:
            return b"".join(parts), chunk_start + 2
        parts.append(bytes(buffer[chunk_start : chunk_start + size]))
        at = chunk_start + size + 2


async def connect(port: int) -> Connection:
    loop = asyncio.get_running_loop()
    _, protocol = await loop.create_connection(Connection, "127.0.0.1", port)
    return protocol


def echo_call(request_id: int, modern: bool) -> dict[str, Any]:
    params: dict[str, Any] = {
        "name": "echo",
        "arguments": {"text": f"hello-{request_id}"},
    }
    if modern:
        params["_meta"] = MODERN_META
    return {
        "jsonrpc": "2.0",
        "id": request_id,
        "method": "tools/call",
        "params": params,
    }


async def open_session(port: int) -> dict[str, str]:
    """``initialize`` + ``notifications/initialized``; the headers later requests need."""
    conn = await connect(port)
    status, headers, _ = await conn.exchange(http_request(port, orjson.dumps(INITIALIZE), {}))
    assert status == 200, status
    session = {
        "Mcp-Session-Id": headers["mcp-session-id"],
        "MCP-Protocol-Version": LEGACY,
    }
    note = orjson.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"})
    status, _, _ = await conn.exchange(http_request(port, note, session))
    assert status in (200, 202), status
    assert conn.transport is not None
    conn.transport.close()
    return session


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


_LIBC = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


def cpu_seconds(pid: int) -> float:
    """User + system CPU a live process has used so far, all threads, to the nanosecond:
    its POSIX CPU-time clock (``clock_getcpuclockid``). ``/proc/<pid>/stat`` counts in
    clock ticks (10 ms), which made a per-request figure over 4000 calls move in steps
    of 2.5 µs."""
    clock = ctypes.c_int()
    failed = _LIBC.clock_getcpuclockid(pid, ctypes.byref(clock))
    if failed:
        raise OSError(failed, os.strerror(failed))
    now = _Timespec()
    if _LIBC.clock_gettime(clock.value, ctypes.byref(now)):
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error))
    return now.tv_sec + now.tv_nsec / 1e9


@dataclass
class Cell:
    requests: int
    errors: int
    seconds: float
    client_cpu: float
    server_cpu: float = 0.0

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_us(self) -> float:
        """Server CPU per request: what the server costs, however busy the machine is."""
        return self.server_cpu / max(self.requests, 1) * 1e6


async def load(pid: int, port: int, modern: bool, concurrency: int, seconds: float) -> Cell:
    headers = (
        {"MCP-Protocol-Version": MODERN, "Mcp-Method": "tools/call", "Mcp-Name": "echo"}
        if modern
        else {}
    )
    if not modern:
        headers = await open_session(port)
    conns = [await connect(port) for _ in range(concurrency)]
    done = errors = 0
    stop_at = 0.0

    async def worker(index: int, conn: Connection) -> None:
        nonlocal done, errors
        request_id = index * 10_000_000
        while time.perf_counter() < stop_at:
            request_id += 1
            raw = http_request(port, orjson.dumps(echo_call(request_id, modern)), headers)
            status, _, body = await conn.exchange(raw)
            if status == 200 and f"hello-{request_id}".encode() in body:
                done += 1
            else:
                errors += 1

    warm = time.perf_counter() + 0.3
    stop_at = warm
    await asyncio.gather(*(worker(i, c) for i, c in enumerate(conns)))
    done = errors = 0
    cpu0, server0, start = time.process_time(), cpu_seconds(pid), time.perf_counter()
    stop_at = start + seconds
    await asyncio.gather(*(worker(i, c) for i, c in enumerate(conns)))
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu0
    server = cpu_seconds(pid) - server0
    for conn in conns:
        assert conn.transport is not None
        conn.transport.close()
    return Cell(done, errors, elapsed, cpu / elapsed, server)


def pin(pid: int, cpus: set[int]) -> None:
    """Move every thread of a process onto ``cpus`` (Linux affinity is per thread)."""
    for tid in os.listdir(f"/proc/{pid}/task"):
        os.sched_setaffinity(int(tid), cpus)


def place(
    servers: dict[str, tuple[subprocess.Popen[bytes], int]],
    cpus: list[int],
    shared: bool,
) -> None:
    """Pick CPUs for one measurement (on machines with two or more).

    One client and its server strictly take turns (the client waits for every answer),
    so they can share one CPU (``shared``): a wake-up across CPUs costs this VM a
    hypervisor round trip that varied from 50 to 500 µs with the host's load, which
    belongs to neither server. More clients run while the server works, so they get
    the other CPUs. ``--split`` keeps a single client on its own CPU too.
    """
    if len(cpus) < 2:
        return
    server_cpu = {cpus[-1]}
    for proc, _ in servers.values():
        pin(proc.pid, server_cpu)
    os.sched_setaffinity(0, server_cpu if shared else set(cpus[:-1]))


def start(name: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    proc = subprocess.Popen(
        [*SERVERS[name](), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, port
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{name} server did not start") from None
            time.sleep(0.05)


def measure(
    servers: dict[str, tuple[subprocess.Popen[bytes], int]],
    modern: bool,
    concurrency: int,
    rounds: int,
    seconds: float,
) -> tuple[dict[str, list[Cell]], dict[str, list[float]], list[float]]:
    """``rounds`` runs of every server, whose order rotates from round to round: slow
    drifts of a shared machine hit all alike. Returns every run, the per-round ratios
    ours / each peer, and the per-round ratios of the floors, uvicorn / null."""
    runs: dict[str, list[Cell]] = {name: [] for name in servers}
    ratios: dict[str, list[float]] = {name: [] for name in servers if name != "ours"}
    floors: list[float] = []
    names = list(servers)
    for index in range(rounds):
        shift = index % len(names)
        cells = {}
        for name in names[shift:] + names[:shift]:
            proc, port = servers[name]
            cells[name] = uvloop.run(load(proc.pid, port, modern, concurrency, seconds))
            runs[name].append(cells[name])
        for name in ratios:
            ratios[name].append(cells["ours"].rate / max(cells[name].rate, 1e-9))
        if "uvicorn" in cells and "null" in cells:
            floors.append(cells["uvicorn"].rate / max(cells["null"].rate, 1e-9))
    return runs, ratios, floors


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=1.0, help="per run")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--split", action="store_true", help="a single client on its own CPU too")
    parser.add_argument(
        "--peers", nargs="+", choices=sorted(set(SERVERS) - {"ours"}), help="only these peers"
    )
    parser.add_argument("--wires", nargs="+", choices=[LEGACY, MODERN], default=[LEGACY, MODERN])
    options = parser.parse_args()
    cpus = sorted(os.sched_getaffinity(0))
    peers = {wire: tuple(options.peers) if options.peers else PEERS[wire] for wire in options.wires}
    servers = {
        name: start(name) for name in ("ours", *sorted({p for w in peers.values() for p in w}))
    }
    try:
        print(
            f"{'wire':<11}{'clients':>8} {'server':<7}{'req/s':>9}{'ours/peer':>11}"
            f"{'(min-max)':>12}{'cpu/req':>10}{'peer/ours':>11}{'errors':>8}{'client cpu':>12}"
        )
        for wire in options.wires:
            modern = wire == MODERN
            serving = {name: servers[name] for name in ("ours", *peers[wire])}
            for concurrency in options.concurrency:
                place(serving, cpus, concurrency == 1 and not options.split)
                runs, ratios, floors = measure(
                    serving, modern, concurrency, options.rounds, options.seconds
                )
                ours = combine(runs["ours"])
                for name, cells in runs.items():
                    total = combine(cells)
                    rate = f"{median(c.rate for c in cells):>9.0f}"
                    if name == "ours":
                        versus = f"{'':>23}{total.cpu_us:>8.0f}us{'':>11}"
                    else:
                        spread = f"{min(ratios[name]):.2f}-{max(ratios[name]):.2f}"
                        versus = (
                            f"{median(ratios[name]):>10.2f}x{spread:>12}{total.cpu_us:>8.0f}us"
                            f"{total.cpu_us / max(ours.cpu_us, 1e-9):>10.2f}x"
                        )
                    print(
                        f"{wire:<11}{concurrency:>8} {name:<7}{rate}{versus}"
                        f"{total.errors:>8}{total.client_cpu:>11.0%}",
                        flush=True,
                    )
                if floors:
                    spread = f"{min(floors):.2f}-{max(floors):.2f}"
                    label = f"{wire:<11}{concurrency:>8} {'uvicorn/null':<16}"
                    print(f"{label}{median(floors):>10.2f}x{spread:>12}  (the stack's own ceiling)")
        print("(ours/peer: throughput, above 1 we are faster; peer/ours: CPU per request, above 1")
        print(" we cost less)")
    finally:
        for proc, _ in servers.values():
            proc.terminate()
            proc.wait(10)


def combine(cells: list[Cell]) -> Cell:
    """All runs of one server as one: totals, so CPU per request weighs every request."""
    seconds = sum(c.seconds for c in cells)
    return Cell(
        requests=sum(c.requests for c in cells),
        errors=sum(c.errors for c in cells),
        seconds=seconds,
        client_cpu=sum(c.client_cpu * c.seconds for c in cells) / seconds,
        server_cpu=sum(c.server_cpu for c in cells),
    )


if __name__ == "__main__":
    main()
