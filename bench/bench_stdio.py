"""stdio benchmark: our echo server vs the official SDKs' servers, side by side.

Peers: the Python SDK's low-level server, the TypeScript SDK v1 (``@modelcontextprotocol/sdk``
``McpServer``, legacy wire only) and v2 (``@modelcontextprotocol/server``, both wires) on
Node 22, installed on first use by ``bench/ts_peer.py``.

For each wire (2025-11-25 after an ``initialize`` handshake, and 2026-07-28 with
per-request ``_meta``) it measures, against both servers in the same run:

* pipelined ``tools/call`` throughput: N requests written back to back while the
  responses are read concurrently, and the server's CPU time per request meanwhile (its CPU-time
  clock, all threads: steadier than req/s when other work shares the machine), as
  medians of alternating rounds (every server of a wire stays open meanwhile);
* sequential latency: one request at a time, p50 and p99;

and, as a correctness footnote, how many of 200 pipelined calls each server answers when
its stdin closes right after them.

The client is a bare subprocess pipe with orjson, far faster than any server, so it never
sets the pace. Prints one table and the ratios (ours / each peer).

    python bench/bench_stdio.py [--requests 4000] [--sequential 1000]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import orjson
import ts_peer
from bench_http import cpu_seconds

HERE = Path(__file__).resolve().parent
SERVERS = {
    "ours": lambda: [sys.executable, str(HERE / "echo_server.py"), "stdio"],
    "sdk": lambda: [sys.executable, str(HERE / "sdk_echo_server.py"), "stdio"],
    "ts-v1": lambda: ts_peer.server("echo_v1"),
    "ts-v2": lambda: ts_peer.server("echo_v2"),
}
PEERS = {"legacy": ("sdk", "ts-v1", "ts-v2"), "modern": ("sdk", "ts-v2")}
"""Who speaks which wire (the TypeScript SDK v1 has no 2026-07-28)."""
WARMUP = 5000
"""Pipelined calls each server answers, untimed, before it is measured."""
MODERN_META = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientCapabilities": {},
    "io.modelcontextprotocol/clientInfo": {"name": "bench", "version": "1"},
}


class Pipe:
    """A spawned server and a line reader on its stdout."""

    def __init__(self, command: list[str]) -> None:
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.stdin = self.process.stdin
        self.stdout = self.process.stdout

    def send(self, *messages: Any) -> None:
        self.stdin.write(b"".join(orjson.dumps(m) + b"\n" for m in messages))
        self.stdin.flush()

    def receive(self) -> Any:
        line = self.stdout.readline()
        if not line:
            raise EOFError("server closed stdout")
        return orjson.loads(line)

    def answer(self, request_id: int) -> Any:
        while True:
            message = self.receive()
            if message.get("id") == request_id:
                return message

    def close(self) -> None:
        self.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def call(request_id: int, wire: str) -> dict[str, Any]:
    params: dict[str, Any] = {"name": "echo", "arguments": {"text": f"hello {request_id}"}}
    if wire == "modern":
        params["_meta"] = MODERN_META
    return {"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": params}


def open_server(name: str, wire: str, prefix: tuple[str, ...] = ()) -> Pipe:
    """A warmed-up server, its command run under ``prefix`` (a profiler) if given."""
    pipe = Pipe([*prefix, *SERVERS[name]()])
    if wire == "legacy":
        pipe.send(
            {
                "jsonrpc": "2.0",
                "id": 0,
                "method": "initialize",
                "params": {
                    "protocolVersion": "2025-11-25",
                    "capabilities": {},
                    "clientInfo": {"name": "bench", "version": "1"},
                },
            },
        )
        pipe.answer(0)
        pipe.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    # warm up: first calls build lazy validators on both sides; then a burst, so a JIT
    # (Node's) has compiled the hot path before anything is timed
    for i in range(1, 51):
        pipe.send(call(i, wire))
        pipe.answer(i)
    pipelined(pipe, wire, WARMUP, base=100)
    return pipe


def pipelined(pipe: Pipe, wire: str, count: int, base: int = 1_000_000) -> float:
    payload = b"".join(orjson.dumps(call(base + i, wire)) + b"\n" for i in range(count))

    def write() -> None:
        pipe.stdin.write(payload)
        pipe.stdin.flush()

    start = time.perf_counter()
    writer = threading.Thread(target=write)
    writer.start()
    seen = 0
    while seen < count:
        message = pipe.receive()
        if "id" in message:
            if "result" not in message:
                raise RuntimeError(f"error answer: {message}")
            seen += 1
    elapsed = time.perf_counter() - start
    writer.join()
    return count / elapsed


def sequential(pipe: Pipe, wire: str, count: int) -> tuple[float, float]:
    latencies = []
    base = 10_000_000
    for i in range(count):
        start = time.perf_counter()
        pipe.send(call(base + i, wire))
        pipe.answer(base + i)
        latencies.append(time.perf_counter() - start)
    latencies.sort()
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return p50 * 1e3, p99 * 1e3


def drained(name: str, count: int = 200) -> int:
    """Answers received when stdin closes right after ``count`` pipelined calls."""
    pipe = open_server(name, "legacy")
    pipe.stdin.write(b"".join(orjson.dumps(call(5000 + i, "legacy")) + b"\n" for i in range(count)))
    pipe.stdin.close()
    answers = 0
    for line in pipe.stdout:
        if b'"id"' in line:
            answers += 1
    pipe.process.wait(timeout=30)
    return answers


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--requests", type=int, default=4000, help="pipelined requests per server and wire"
    )
    parser.add_argument(
        "--sequential",
        type=int,
        default=1000,
        help="sequential requests per server and wire (a p99 of 400 rests on its 4 worst)",
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="pipelined runs per server (medians are printed)"
    )
    parser.add_argument("--wires", default="legacy,modern")
    options = parser.parse_args()
    rows = []
    for wire in options.wires.split(","):
        names = ("ours", *PEERS[wire])
        pipes = {name: open_server(name, wire) for name in names}
        rates: dict[str, list[float]] = {name: [] for name in names}
        cpus: dict[str, list[float]] = {name: [] for name in names}
        measured: dict[str, tuple[float, float, float, float]] = {}
        try:
            for index in range(options.rounds):
                # the order rotates: slow drifts of a shared machine hit every server alike
                for name in names[index % len(names) :] + names[: index % len(names)]:
                    pid = pipes[name].process.pid
                    cpu = cpu_seconds(pid)
                    base = 1_000_000 * (index + 1)
                    rates[name].append(pipelined(pipes[name], wire, options.requests, base))
                    cpus[name].append((cpu_seconds(pid) - cpu) / options.requests * 1e6)
            for name in names:
                p50, p99 = sequential(pipes[name], wire, options.sequential)
                rate, cpu = statistics.median(rates[name]), statistics.median(cpus[name])
                measured[name] = (rate, cpu, p50, p99)
                cells = (f"{rate:16.0f}", f"{cpu:11.1f}", f"{p50:11.3f}", f"{p99:11.3f}")
                rows.append((wire, name, *cells))
        finally:
            for pipe in pipes.values():
                pipe.close()
        ours = measured["ours"]
        for peer in PEERS[wire]:
            theirs = measured[peer]
            slower = zip(theirs[1:], ours[1:], strict=True)
            ratios = (ours[0] / theirs[0], *(t / o for t, o in slower))
            rows.append((wire, f"ours/{peer}", *(f"{r:15.2f}x" for r in ratios)))
    print(
        f"{'wire':8} {'server':12} {'pipelined req/s':>16} {'cpu µs/req':>16}"
        f" {'seq p50 ms':>16} {'seq p99 ms':>16}"
    )
    for wire, name, *cells in rows:
        print(f"{wire:8} {name:12} " + " ".join(f"{c:>16}" for c in cells))
    print(
        "(ratios: throughput ours/peer; CPU and latency peer/ours, so above 1 means we are faster)"
    )
    print(
        "drain (200 pipelined calls, then EOF): "
        + ", ".join(f"{n} answered {drained(n)}" for n in ("ours", *PEERS["legacy"]))
    )


if __name__ == "__main__":
    main()
