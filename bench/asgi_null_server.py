"""The second floor for ``bench_http.py``: ``null_server.py``'s canned answers from a
trivial ASGI app, served exactly as our MCP servers are (``runtime.http.serve``: uvicorn,
its event loop, our HTTP/1.1 protocol class, our log settings).

What separates it from ``null`` is the price of uvicorn + ASGI; what separates ours from
it is the price of being an MCP server on that stack. ``--protocol httptools`` serves it
with uvicorn's own HTTP/1.1 protocol instead, to see what our protocol class saves.

    python bench/asgi_null_server.py http --port 8770 [--protocol httptools]
"""

from __future__ import annotations

import argparse
from typing import Any

from mcp_foundry.runtime.http import serve
from null_server import canned

JSON = [(b"content-type", b"application/json")]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
        return
    body = b""
    more = True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    found = canned(body)
    if found is None:
        await send({"type": "http.response.start", "status": 202, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        return
    payload, session = found
    headers = JSON if session is None else [*JSON, (b"mcp-session-id", session.encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("transport", choices=["http"])
    parser.add_argument("--port", type=int, default=8770)
    parser.add_argument("--protocol", choices=["ours", "httptools"], default="ours")
    options = parser.parse_args()
    extra = {"http": "httptools"} if options.protocol == "httptools" else {}
    serve(app, port=options.port, **extra)


if __name__ == "__main__":
    main()
