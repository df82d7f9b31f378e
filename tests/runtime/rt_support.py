"""Shared test helpers: the fixture server as a real subprocess behind a raw JSON-lines pipe."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson
from mcp_foundry.sources import registry

HERE = Path(__file__).resolve().parent
FIXTURE = [sys.executable, str(HERE / "rt_fixture_server.py")]
MODERN = registry.latest("modern")
LEGACY = registry.of_era("legacy")


def modern_meta(**extra: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "io.modelcontextprotocol/protocolVersion": MODERN,
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "tests", "version": "1"},
    }
    meta.update(extra)
    return meta


class Pipe:
    """A spawned server with line-oriented, timeout-guarded reads."""

    def __init__(self, *args: str, command: list[str] | None = None) -> None:
        self.process = subprocess.Popen(
            [*(command or FIXTURE), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert self.process.stdin and self.process.stdout
        self._buffer = b""
        self.seen: list[Any] = []

    def write(self, data: bytes) -> None:
        assert self.process.stdin
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def send(self, *messages: Any) -> None:
        self.write(b"".join(orjson.dumps(m) + b"\n" for m in messages))

    def request(self, request_id: Any, method: str, params: Any = None) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)

    def receive(self, timeout: float = 10.0) -> Any:
        deadline = time.monotonic() + timeout
        fd = self.process.stdout.fileno()  # type: ignore[union-attr]
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no message from the server")
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise EOFError("server closed stdout")
                self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        message = orjson.loads(line)
        self.seen.append(message)
        return message

    def answer(self, request_id: Any, timeout: float = 10.0) -> Any:
        while True:
            message = self.receive(timeout)
            if message.get("id") == request_id and ("result" in message or "error" in message):
                return message

    def call(self, request_id: Any, method: str, params: Any = None, timeout: float = 10.0) -> Any:
        self.request(request_id, method, params)
        return self.answer(request_id, timeout)

    def initialize(
        self, version: str = "2025-11-25", capabilities: dict[str, Any] | None = None
    ) -> Any:
        params = {
            "protocolVersion": version,
            "capabilities": capabilities or {},
            "clientInfo": {"name": "t", "version": "1"},
        }
        answer = self.call("init", "initialize", params)
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return answer

    def started(self, token: Any, timeout: float = 10.0) -> None:
        """Wait for the progress notification the fixture's ``slow`` tool sends first."""
        while not any(
            m.get("method") == "notifications/progress" and m["params"]["progressToken"] == token
            for m in self.seen
        ):
            self.receive(timeout)

    def close_input(self) -> None:
        assert self.process.stdin
        self.process.stdin.close()

    def rest(self, timeout: float = 15.0) -> list[Any]:
        """Everything still to come until the server closes stdout."""
        out = []
        while True:
            try:
                out.append(self.receive(timeout))
            except EOFError:
                return out

    def stderr(self) -> str:
        assert self.process.stderr
        return self.process.stderr.read().decode(errors="replace")

    def finish(self, timeout: float = 15.0) -> int:
        if self.process.stdin and not self.process.stdin.closed:
            self.process.stdin.close()
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise
