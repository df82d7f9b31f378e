"""Cursor pagination of list results (pagination.mdx): opaque, stable cursors.

A cursor names the last item its page held and where that item stood, so tools or
resources registered while a client pages neither repeat nor go missing from the pages
still to come; if that very item was removed meanwhile, paging resumes where it stood.
Clients must treat cursors as opaque; this one is base64 of a small JSON object. Every
paged list uses it: a server's lists and ``tasks/list``, whichever party receives tasks.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson
from mcp_foundry.runtime.errors import INVALID_PARAMS, RpcError

Wire = dict[str, Any]


def page(
    items: list[Wire], key: str, cursor: Any, size: int | None
) -> tuple[list[Wire], str | None]:
    """The items after ``cursor`` (all of them when ``size`` is None, else at most
    ``size``) and the cursor of the next page, None at the end."""
    start = 0 if cursor is None else _resume(items, key, cursor)
    if size is None or start + size >= len(items):
        return items[start:], None
    end = start + size
    anchor = {"after": items[end - 1][key], "at": end}
    return items[start:end], base64.urlsafe_b64encode(orjson.dumps(anchor)).decode()


def _resume(items: list[Wire], key: str, cursor: Any) -> int:
    try:
        anchor = orjson.loads(base64.urlsafe_b64decode(str(cursor).encode()))
        after, at = anchor["after"], anchor["at"]
        if not isinstance(at, int) or at < 1:
            raise ValueError(at)
    except (binascii.Error, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        raise RpcError(INVALID_PARAMS, f"Invalid params: unknown cursor {cursor!r}") from None
    for index, item in enumerate(items):
        if item[key] == after:
            return index + 1
    return min(at - 1, len(items))  # the named item itself was removed: the rest moved up
