"""Cold start benchmark: process start to the first ``initialize`` answer, ours vs peers.

For each transport it spawns a fresh server process, sends a 2025-11-25 ``initialize``
at once (stdio: on its stdin; HTTP: a POST retried until the port accepts connections)
and stops the clock when the answer has been read. Servers take turns within every round
so load from elsewhere on the machine hits them alike; it prints the median wall time
with its range, the median CPU time the server had used by then (its CPU-time
clock, all threads), and the ratios peer / ours (above 1: we start faster). ``floor`` is a bare
``python`` that answers the line itself: interpreter start-up, the least any Python
server pays.

Every server starts once, untimed, before the rounds, with bytecode writing allowed
(``PYTHONDONTWRITEBYTECODE`` is dropped from its environment): a user's installed package
has its bytecode compiled (pip does that), and a start that compiles every module from
source measures the compiler, not the server (about a third more instructions here).

    python bench/bench_cold.py [--rounds 11] [--transports stdio,http]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from statistics import median

import ts_peer
from bench_http import INITIALIZE, cpu_seconds

HERE = Path(__file__).resolve().parent
FLOOR = (
    "import sys; sys.stdin.readline(); "
    'sys.stdout.write(\'{"jsonrpc":"2.0","id":0,"result":{}}\\n\'); sys.stdout.flush()'
)
Command = Callable[[str, int], list[str]]
SERVERS: dict[str, dict[str, Command]] = {
    "stdio": {
        "ours": lambda t, p: [sys.executable, str(HERE / "echo_server.py"), t],
        "sdk": lambda t, p: [sys.executable, str(HERE / "sdk_echo_server.py"), t],
        "ts-v1": lambda t, p: ts_peer.server("echo_v1"),
        "floor": lambda t, p: [sys.executable, "-c", FLOOR],
    },
    "http": {
        "ours": lambda t, p: [sys.executable, str(HERE / "echo_server.py"), t, "--port", str(p)],
        "sdk": lambda t, p: [sys.executable, str(HERE / "sdk_echo_server.py"), t, "--port", str(p)],
        "ts-v1": lambda t, p: [*ts_peer.server("echo_v1"), t, "--port", str(p)],
    },
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def answer_stdio(process: subprocess.Popen[bytes], port: int) -> bytes:
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(json.dumps(INITIALIZE).encode() + b"\n")
    process.stdin.flush()
    return process.stdout.readline()


def answer_http(process: subprocess.Popen[bytes], port: int) -> bytes:
    body = json.dumps(INITIALIZE).encode()
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    while process.poll() is None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request("POST", "/mcp", body, headers)
        except ConnectionRefusedError:
            time.sleep(0.002)
            continue
        try:
            response = connection.getresponse()
            return next(line for line in response if b'"result"' in line)
        finally:
            connection.close()
    raise RuntimeError("server exited before answering")


def cold_start(command: list[str], transport: str, port: int) -> tuple[float, float]:
    """Seconds from spawn to the answer read, and the server's CPU seconds by then."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    )
    try:
        answer = (answer_stdio if transport == "stdio" else answer_http)(process, port)
        elapsed = time.perf_counter() - start
        cpu = cpu_seconds(process.pid)
        if b'"result"' not in answer:
            raise RuntimeError(f"{command}: no initialize result: {answer!r}")
    finally:
        process.kill()
        process.wait()
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--transports", default="stdio,http")
    options = parser.parse_args()
    print(f"{'transport':10} {'server':8} {'wall ms median':>15} {'range':>15} {'cpu ms':>8}")
    for transport in options.transports.split(","):
        servers = SERVERS[transport]
        walls: dict[str, list[float]] = {name: [] for name in servers}
        cpus: dict[str, list[float]] = {name: [] for name in servers}
        names = list(servers)
        for name in names:  # untimed: bytecode and file caches warm, packages installed
            port = free_port()
            cold_start(servers[name](transport, port), transport, port)
        for round_number in range(options.rounds):
            shift = round_number % len(names)
            for name in names[shift:] + names[:shift]:
                port = free_port()
                wall, cpu = cold_start(servers[name](transport, port), transport, port)
                walls[name].append(wall * 1e3)
                cpus[name].append(cpu * 1e3)
        for name in names:
            spread = f"{min(walls[name]):.0f}-{max(walls[name]):.0f}"
            print(
                f"{transport:10} {name:8} {median(walls[name]):15.0f} {spread:>15} "
                f"{median(cpus[name]):8.0f}"
            )
        ours = median(walls["ours"])
        ratios = ", ".join(
            f"{name}/ours {median(walls[name]) / ours:.2f}x"
            for name in names
            if name not in ("ours", "floor")
        )
        print(f"{transport:10} ratios (wall, above 1: we start faster): {ratios}")


if __name__ == "__main__":
    main()
