"""A bare JSON-RPC peer on a child process's stdin/stdout, for checks below any SDK."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
from typing import Any

MODERN_META = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientInfo": {"name": "scaffold-e2e", "version": "0"},
    "io.modelcontextprotocol/clientCapabilities": {},
}


class StdioPeer:
    """Writes requests as lines; a reader thread collects every line the server prints."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
        )
        self._lines: queue.Queue[bytes] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._ids = 0

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put(b"")

    def send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message).encode() + b"\n")
        self.process.stdin.flush()

    def request(
        self, method: str, params: dict[str, Any] | None = None, *, send_only: bool = False
    ) -> Any:
        self._ids += 1
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": self._ids, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return self._ids if send_only else self.response(self._ids)

    def response(self, request_id: int, timeout: float = 30) -> dict[str, Any]:
        """The response to ``request_id``, skipping notifications on the way."""
        while True:
            line = self._lines.get(timeout=timeout)
            if not line:
                raise AssertionError(
                    f"server closed stdout before answering {request_id}: {self.stderr()}"
                )
            message = json.loads(line)
            if message.get("id") == request_id and "method" not in message:
                return message

    def responses_until_eof(self, timeout: float = 30) -> list[dict[str, Any]]:
        found = []
        while (line := self._lines.get(timeout=timeout)) != b"":
            message = json.loads(line)
            if "id" in message and "method" not in message:
                found.append(message)
        return found

    def close_input(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()

    def stderr(self) -> str:
        if self.process.poll() is None:
            return "<still running>"
        assert self.process.stderr is not None
        return self.process.stderr.read().decode(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
