"""Where a surface comes from: a snapshot file, a URL (Streamable HTTP, falling back to
HTTP+SSE) or a command line that starts the server over stdio.

One operand covers all three so every command takes servers the same way: an existing
``.json`` file is a snapshot (so is a bindings package folder: its ``surface.json``),
``http://``/``https://`` is a URL, anything else is a command line (split like a shell
would).
"""

from __future__ import annotations

import shlex
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
from mcp_foundry.runtime.client import Client, connect_stdio
from mcp_foundry.runtime.http.fallback import connect
from mcp_foundry.runtime.wire import dump
from mcp_foundry.servergen import surface
from mcp_foundry.servergen.errors import SurfaceError
from mcp_foundry.servergen.surface import Surface

if TYPE_CHECKING:
    import httpx

CAPABILITY = {"tools": "tools", "prompts": "prompts", "resource_templates": "resources"}
"""Surface attribute -> the server capability that announces it."""
LIST_METHOD = {
    "tools": "tools/list",
    "prompts": "prompts/list",
    "resource_templates": "resources/templates/list",
}


def is_url(spec: str) -> bool:
    return spec.startswith(("http://", "https://"))


def is_snapshot(spec: str) -> bool:
    """A snapshot file or a bindings package folder (its ``surface.json``)."""
    path = Path(spec)
    if is_url(spec):
        return False
    return (path.is_dir() and (path / "surface.json").is_file()) or (
        path.is_file() and path.suffix == ".json"
    )


def open_client(
    spec: str, headers: dict[str, str] | None = None, auth: httpx.Auth | None = None
) -> AbstractAsyncContextManager[Client]:
    """A connected client on the server ``spec`` names (a URL, sent ``headers`` with
    every request and authenticated by ``auth``, or a command line)."""
    if is_url(spec):
        return connect(spec, headers=headers, auth=auth)
    if headers:
        raise SurfaceError(f"{spec}: headers are for URLs, not command lines")
    if auth:
        raise SurfaceError(f"{spec}: OAuth is for URLs, not command lines")
    command = shlex.split(spec)
    if not command:
        raise SurfaceError("empty server command line")
    return connect_stdio(command)


async def fetch(client: Client) -> Surface:
    """Every tool, prompt and resource template the server offers, page after page."""
    lists: dict[str, list[Any]] = {}
    for attribute, capability in CAPABILITY.items():
        if capability in client.server_capabilities:
            items = await client.list_all(LIST_METHOD[attribute])
            lists[attribute] = [dump(item) for item in items]
    info = client.server_info
    server: dict[str, Any] | None = (
        {k: info[k] for k in ("name", "version") if k in info} if info else None
    )
    return surface.build(lists, server=server, protocol_version=client.revision)


async def _live(spec: str, headers: dict[str, str] | None, auth: httpx.Auth | None) -> Surface:
    async with open_client(spec, headers, auth) as client:
        return await fetch(client)


def leaf_error(exc: BaseException) -> BaseException:
    """The first real error inside anyio's exception groups."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc


def load(
    spec: str, headers: dict[str, str] | None = None, auth: httpx.Auth | None = None
) -> Surface:
    """The surface ``spec`` names: a snapshot file, or a server reached live."""
    path = Path(spec)
    if is_snapshot(spec) and path.is_dir():
        return surface.load(path / "surface.json")  # a bindings package
    if is_snapshot(spec):
        return surface.load(path)
    try:
        return anyio.run(_live, spec, headers, auth)
    except SurfaceError:
        raise
    except Exception as exc:
        leaf = leaf_error(exc)
        detail = str(leaf) or "the connection closed (did the server start?)"
        raise SurfaceError(f"cannot list {spec}: {type(leaf).__name__}: {detail}") from exc
