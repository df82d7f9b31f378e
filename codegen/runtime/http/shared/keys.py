"""Where each piece of the shared legacy sessions lives in the store.

Several modules write, read and delete the same keys; their names, and the format of an
index member, are made here only. Stream keys (in logs and event ids) are random, and
only ever looked up under their session's id.
"""

from __future__ import annotations

CHANNEL = "legacy"
"""The channel on which instances hand each other what arrived at the wrong one."""
INSTANCES = "instances"
"""Index of the instances alive (each refreshes its membership every heartbeat)."""
LIVE = "ls-live"
"""Index of initialized sessions (members: :func:`member`)."""
ACKS = "ack:"
"""Prefix of the short logs in which instances acknowledge a message."""


def record(session_id: str) -> str:
    """A session's record."""
    return f"ls:{session_id}"


def log(session_id: str, stream_key: str) -> str:
    """The log of one of a session's streams (standalone or a POST's)."""
    return f"lg:{session_id}:{stream_key}"


def cursor(session_id: str, stream_key: str) -> str:
    """Where the last GET of a standalone stream stopped reading its log."""
    return log(session_id, stream_key) + ":at"


def subscribers(uri: str) -> str:
    """Index of the sessions subscribed to a resource (members: :func:`member`)."""
    return f"ls-sub:{uri}"


def member(session_id: str, stream_key: str, revision: str) -> str:
    """A session in an index: what fan-out needs to reach it without its record."""
    return f"{session_id} {stream_key} {revision}"


def parse_member(entry: str) -> tuple[str, str, str]:
    """``(session id, standalone stream key, revision)`` of an index member."""
    session_id, _, rest = entry.partition(" ")
    stream_key, _, revision = rest.partition(" ")
    return session_id, stream_key, revision


def plausible_id(session_id: str) -> bool:
    """Whether a client's session id (or stream key) could be one of ours, before it
    goes into a store key."""
    return (
        0 < len(session_id) <= 64
        and session_id.isascii()
        and all(c.isalnum() or c in "-_" for c in session_id)
    )
