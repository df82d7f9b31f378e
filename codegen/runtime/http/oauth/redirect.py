"""The user-facing step of the authorization code flow: show the authorization URL,
get back the parameters of the redirect.

A :class:`RedirectHandler` owns its ``redirect_uri`` (it is registered with the
authorization server before the first authorization). :class:`LoopbackRedirect` is
the default for command-line tools (RFC 8252 §7.3): it opens the URL in a browser and
listens on ``127.0.0.1`` for the one redirect.
"""

from __future__ import annotations

import logging
import socket
import webbrowser
from collections.abc import Callable
from typing import Protocol
from urllib.parse import parse_qs, urlsplit

import anyio
from anyio.abc import SocketStream

log = logging.getLogger(__name__)

PAGE = (
    b"HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\nconnection: close\r\n\r\n"
    b"<!doctype html><title>Authorized</title><p>You can close this window.</p>"
)


class RedirectHandler(Protocol):
    @property
    def redirect_uri(self) -> str: ...

    async def authorize(self, authorization_url: str) -> dict[str, str]:
        """Have the user visit ``authorization_url``; return the redirect's query
        parameters (``code``, ``state``, ``iss`` or ``error``)."""
        ...


def query_params(url: str) -> dict[str, str]:
    """The first value of each query parameter of ``url``."""
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LoopbackRedirect:
    """Opens the authorization URL with ``open_browser`` and receives the redirect on
    ``http://127.0.0.1:<port>/callback``."""

    def __init__(
        self,
        port: int = 0,
        *,
        path: str = "/callback",
        open_browser: Callable[[str], object] = webbrowser.open,
        timeout: float = 300.0,
    ) -> None:
        self.port = port or _free_port()
        self.path = path
        self.timeout = timeout
        self._open = open_browser

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    async def authorize(self, authorization_url: str) -> dict[str, str]:
        received: dict[str, str] = {}
        done = anyio.Event()
        listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=self.port)

        async def serve(stream: SocketStream) -> None:
            async with stream:
                head = b""
                with anyio.move_on_after(10):
                    while b"\r\n" not in head and len(head) < 65536:
                        head += await stream.receive()
                target = head.split(b"\r\n", 1)[0].split(b" ")
                if len(target) < 2 or urlsplit(target[1].decode("latin-1")).path != self.path:
                    await stream.send(b"HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n")
                    return
                received.update(query_params(target[1].decode("latin-1")))
                await stream.send(PAGE)
                done.set()

        async with listener, anyio.create_task_group() as group:
            group.start_soon(listener.serve, serve)
            log.info("authorize in your browser: %s", authorization_url)
            await anyio.to_thread.run_sync(self._open, authorization_url)
            with anyio.fail_after(self.timeout):
                await done.wait()
            group.cancel_scope.cancel()
        return received
