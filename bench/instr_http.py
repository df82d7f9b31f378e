"""Instructions per HTTP request of one server, counted by valgrind's callgrind.

On a shared machine req/s and CPU time drift with the neighbours' load; instruction
counts do not, so this is the number to compare before and after a change to the HTTP
path (``bench_http.py`` stays the one for speed against the peers). One server runs
under callgrind; this process sends it ``--warmup`` sequential ``tools/call echo``
requests over one keep-alive connection, zeroes the counters, sends ``--requests``
more, dumps, and prints the instructions per request (the server's whole process:
event loop, uvicorn, ours, the interpreter).

    python bench/instr_http.py [--server ours] [--wire 2025-11-25] [--requests 2000]
    python bench/instr_http.py --server ours --profile   # + the costliest C functions

``--profile`` adds ``callgrind_annotate``'s top functions (the interpreter's own, mostly;
which Python code runs is cProfile's job).
"""

from __future__ import annotations

import argparse
import os
import shlex
import socket
import subprocess
import time
from pathlib import Path

import orjson
from bench_http import INITIALIZE, LEGACY, MODERN, SERVERS, echo_call, free_port, http_request

VALGRIND_START_S = 600
"""Python's start-up under callgrind takes tens of seconds on a busy machine."""


class Client:
    """One blocking keep-alive connection; responses framed by ``Content-Length`` or
    chunked (enough for the servers measured here)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def exchange(self, raw: bytes) -> tuple[int, dict[str, str], bytes]:
        self.sock.sendall(raw)
        while b"\r\n\r\n" not in self.buffer:
            self._read()
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            size = int(headers["content-length"])
            while len(self.buffer) < size:
                self._read()
            body, self.buffer = self.buffer[:size], self.buffer[size:]
        else:
            while not self.buffer.endswith(b"0\r\n\r\n"):
                self._read()
            body, self.buffer = self.buffer, b""
        return int(lines[0].split(" ")[1]), headers, body

    def _read(self) -> None:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("server closed the connection")
        self.buffer += data


def wait_for_port(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + VALGRIND_START_S
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start under callgrind") from None
            time.sleep(0.5)


def session_headers(client: Client, wire: str) -> dict[str, str]:
    if wire == MODERN:
        return {"MCP-Protocol-Version": MODERN, "Mcp-Method": "tools/call", "Mcp-Name": "echo"}
    status, headers, _ = client.exchange(http_request(client.port, orjson.dumps(INITIALIZE), {}))
    assert status == 200, status
    session = {"Mcp-Session-Id": headers["mcp-session-id"], "MCP-Protocol-Version": LEGACY}
    note = orjson.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"})
    status, _, _ = client.exchange(http_request(client.port, note, session))
    assert status in (200, 202), status
    return session


def run(client: Client, headers: dict[str, str], modern: bool, first: int, count: int) -> None:
    for request_id in range(first, first + count):
        call = echo_call(request_id, modern)
        status, _, body = client.exchange(http_request(client.port, orjson.dumps(call), headers))
        if status != 200 or f"hello-{request_id}".encode() not in body:
            raise RuntimeError(f"bad answer {status}: {body[:200]!r}")


def totals(out: Path) -> int:
    for line in out.read_text().splitlines():
        if line.startswith(("totals:", "summary:")):
            return int(line.split()[1])
    raise RuntimeError(f"no totals in {out}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--server", choices=sorted(SERVERS), default="ours")
    parser.add_argument("--wire", choices=[LEGACY, MODERN], default=LEGACY)
    parser.add_argument(
        "--command", help="another server: its command line, to which the port is appended"
    )
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--profile", action="store_true", help="print the top C functions")
    options = parser.parse_args()
    port = free_port()
    out = Path(f"/tmp/instr-http-{os.getpid()}.out")
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    proc = subprocess.Popen(
        [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={out}",
            *(shlex.split(options.command) if options.command else SERVERS[options.server]()),
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        wait_for_port(port, proc)
        client = Client(port)
        modern = options.wire == MODERN
        headers = session_headers(client, options.wire)
        run(client, headers, modern, 1, options.warmup)
        subprocess.run(["callgrind_control", "-z", str(proc.pid)], check=True, capture_output=True)
        run(client, headers, modern, 10_000_000, options.requests)
        subprocess.run(["callgrind_control", "-d", str(proc.pid)], check=True, capture_output=True)
        dumps = sorted(out.parent.glob(out.name + ".*"), key=lambda p: p.stat().st_mtime)
        dump = dumps[-1]
        per = totals(dump) / options.requests
        name = options.command or options.server
        print(f"{name} {options.wire}: {per:,.0f} instructions per request")
        if options.profile:
            annotated = subprocess.run(
                ["callgrind_annotate", "--inclusive=no", "--threshold=100", "--auto=no", str(dump)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            print("\n".join(annotated.splitlines()[:60]))
    finally:
        proc.terminate()
        proc.wait(60)
        if not os.environ.get("INSTR_KEEP"):
            for path in out.parent.glob(out.name + "*"):
                path.unlink()


if __name__ == "__main__":
    main()
