"""The floor for ``bench_http.py``: the least an HTTP/1.1 server on this Python can do to
answer the benchmark's JSON-RPC traffic, with the standard library only (asyncio's own
event loop, ``json``) and no MCP library.

It frames keep-alive requests by ``Content-Length``, decodes the body, and answers a
request with a canned-shape result holding the echoed text (``initialize`` gets a session
id, notifications a bare 202). No validation, no sessions kept, no routing: whatever an
MCP server costs above this is the price of being one.

    python bench/null_server.py http --port 8769
"""

from __future__ import annotations

import argparse
import asyncio
import json
import uuid
from typing import Any

ACCEPTED = b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"


def canned(body: bytes) -> tuple[bytes, str | None] | None:
    """The JSON answer to one JSON-RPC message and the session id it opens, or ``None``
    for a notification (answered 202). Shared with ``asgi_null_server.py``."""
    message = json.loads(body)
    if "id" not in message:
        return None
    session = None
    if message["method"] == "initialize":
        result: dict[str, Any] = {
            "protocolVersion": message["params"]["protocolVersion"],
            "capabilities": {"tools": {}},
            "serverInfo": {"name": "null", "version": "1"},
        }
        session = uuid.uuid4().hex
    else:
        text = message["params"]["arguments"]["text"]
        result = {"content": [{"type": "text", "text": text}], "isError": False}
    payload = json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": result}).encode()
    return payload, session


def answer(body: bytes) -> bytes:
    """The whole HTTP response to one JSON-RPC message."""
    found = canned(body)
    if found is None:
        return ACCEPTED
    payload, session = found
    extra = f"Mcp-Session-Id: {session}\r\n" if session is not None else ""
    head = (
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        f"{extra}Content-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode("latin-1") + payload


class NullHttp(asyncio.Protocol):
    """One keep-alive connection: answer each complete request as it arrives."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            length = 0
            for line in bytes(self.buffer[:end]).split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            stop = end + 4 + length
            if len(self.buffer) < stop:
                return
            body = bytes(self.buffer[end + 4 : stop])
            del self.buffer[:stop]
            self.transport.write(answer(body))


async def serve(port: int) -> None:
    server = await asyncio.get_running_loop().create_server(NullHttp, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("transport", choices=["http"])
    parser.add_argument("--port", type=int, default=8769)
    asyncio.run(serve(parser.parse_args().port))


if __name__ == "__main__":
    main()
