"""RFC 6750 §3 challenges: ``WWW-Authenticate: Bearer ...`` on 400, 401 and 403.

Bodies carry the OAuth error code and a fixed description written here, never anything
from the token, its claims or the keys.
"""

from __future__ import annotations

from collections.abc import Iterable

import orjson
from mcp_foundry.runtime.http.asgi import Send

STATUS = {"invalid_request": 400, "invalid_token": 401, "insufficient_scope": 403}


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def www_authenticate(
    metadata_url: str,
    scopes: Iterable[str] = (),
    error: str | None = None,
    description: str | None = None,
) -> str:
    """The header value; ``scope`` lists every scope the operation needs (2026-07-28:
    all of them in one challenge, so a client steps up once)."""
    params: list[tuple[str, str]] = []
    if error is not None:
        params.append(("error", error))
    scope = " ".join(sorted(set(scopes)))
    if scope:
        params.append(("scope", scope))
    params.append(("resource_metadata", metadata_url))
    if description is not None:
        params.append(("error_description", description))
    return "Bearer " + ", ".join(f"{name}={_quoted(value)}" for name, value in params)


async def challenge(
    send: Send,
    metadata_url: str,
    scopes: Iterable[str] = (),
    error: str | None = None,
    description: str | None = None,
) -> None:
    """Answer with the status RFC 6750 gives ``error`` (401 when there is none: the
    request carried no token at all, and then the header carries no error information,
    RFC 6750 §3; the body still says what is missing)."""
    status = STATUS[error] if error is not None else 401
    header = www_authenticate(metadata_url, scopes, error, description if error else None)
    body: dict[str, str] = {"error": error or "invalid_token"}
    if description is not None:
        body["error_description"] = description
    payload = orjson.dumps(body)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode("ascii")),
                (b"www-authenticate", header.encode("latin-1", "replace")),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
