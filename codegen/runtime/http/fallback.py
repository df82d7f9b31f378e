"""One URL, either HTTP transport: Streamable HTTP first, then the deprecated HTTP+SSE.

A user may hold the URL of an old (2024-11-05) server. The transports page's
backwards-compatibility rule: POST to the URL; if that fails with a 4xx status (a
server without Streamable HTTP answers 404 or 405), GET it instead and expect an SSE
stream that opens with an ``endpoint`` event.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
from mcp_foundry.runtime.client import Client
from mcp_foundry.runtime.errors import RpcError
from mcp_foundry.runtime.http.client import TRANSPORT_ERROR, connect_http
from mcp_foundry.runtime.http.client_sse import connect_sse


@asynccontextmanager
async def connect(
    url: str,
    *,
    version: str | None = None,
    headers: Mapping[str, str] | None = None,
    auth: httpx.Auth | None = None,
    **client_options: Any,
) -> AsyncIterator[Client]:
    """A negotiated client on ``url``, whichever HTTP transport the server has."""
    async with AsyncExitStack() as stack:
        try:
            client = await stack.enter_async_context(
                connect_http(url, version=version, headers=headers, auth=auth, **client_options)
            )
        except Exception as exc:
            refusal = _refusal(exc)
            if refusal is None:
                raise
            sse = connect_sse(url, version=version, headers=headers, auth=auth, **client_options)
            try:
                client = await stack.enter_async_context(sse)
            except Exception as fallback:
                refusal.add_note(f"the HTTP+SSE fallback failed too: {fallback!r}")
                raise refusal from None
        yield client


def _refusal(exc: BaseException) -> RpcError | None:
    """The 4xx answer behind a failed connect (anyio may wrap it in groups), else None.
    401 and 403 ask for authorization, which the old transport would ask for too."""
    if isinstance(exc, BaseExceptionGroup):
        found = [_refusal(inner) for inner in exc.exceptions]
        return next((error for error in found if error is not None), None)
    if isinstance(exc, RpcError) and exc.code == TRANSPORT_ERROR:
        status = exc.data.get("httpStatus") if isinstance(exc.data, dict) else None
        if isinstance(status, int) and 400 <= status < 500 and status not in (401, 403):
            return exc
    return None
