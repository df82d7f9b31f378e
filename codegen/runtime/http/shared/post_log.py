"""The log format of a POST response stream copied to the store.

Written by :mod:`.mirror` on the instance answering the request, read by
:mod:`.tails` on whichever instance the client resumes at. Each entry is
``b"<seq> <kind> <payload>"``; the first is the head, naming the answering instance
and the request ids (what a resumer needs to answer them if that instance dies).
"""

from __future__ import annotations

import orjson
from mcp_foundry.runtime.http.port import RequestId

EVENT, FINAL, ENDED, HEAD = 0, 1, 2, 3
"""Kinds of entries: an event, the event that ends the stream, an end without an event,
the head."""


def entry(seq: int, kind: int, payload: bytes = b"") -> bytes:
    return b"%d %d " % (seq, kind) + payload


def head(owner: str, request_ids: list[RequestId]) -> bytes:
    return entry(0, HEAD, orjson.dumps({"owner": owner, "ids": request_ids}))


def parse(raw: bytes) -> tuple[int, int, bytes]:
    """``(seq, kind, payload)`` of an entry."""
    seq, kind, payload = raw.split(b" ", 2)
    return int(seq), int(kind), payload


def parse_head(payload: bytes) -> tuple[str, list[RequestId]]:
    """``(owner instance, request ids)`` of a head entry's payload."""
    body = orjson.loads(payload)
    return body["owner"], body["ids"]
