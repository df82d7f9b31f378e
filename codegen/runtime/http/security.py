"""DNS-rebinding protection: which ``Host`` and ``Origin`` values a local server accepts.

A web page on a hostile domain can make a browser talk to 127.0.0.1 by re-pointing its
own DNS name there; the browser then sends that foreign name as ``Host`` and the page's
``Origin``. Accepting only loopback names (with any port) defeats that. A request
without ``Origin`` did not come from a browser page and is judged by ``Host`` alone.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple
from urllib.parse import urlsplit

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})


class HostPolicy(NamedTuple):
    """The names a server answers to. ``allowed_hosts`` are bare names (any port).
    (A named tuple: a frozen dataclass's generated methods are compiled at server start.)"""

    allowed_hosts: frozenset[str] = LOOPBACK_HOSTS
    allowed_origins: frozenset[str] = frozenset()
    """Extra exact origins (``https://app.example``) beyond those on allowed hosts."""
    enabled: bool = True

    def host_ok(self, host: str | None) -> bool:
        if not self.enabled:
            return True
        if not host:
            return False
        return _hostname(host) in self.allowed_hosts

    def origin_ok(self, origin: str | None) -> bool:
        if not self.enabled or origin is None:
            return True
        if origin in self.allowed_origins:
            return True
        try:
            parts = urlsplit(origin)
        except ValueError:
            return False
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return False
        return _hostname(parts.netloc) in self.allowed_hosts


@lru_cache(maxsize=256)
def _hostname(authority: str) -> str:
    """``host[:port]`` → lower-cased host, keeping IPv6 brackets (``[::1]:80`` → ``[::1]``)."""
    authority = authority.strip().lower()
    if authority.startswith("["):
        end = authority.find("]")
        if end == -1:
            return ""
        rest = authority[end + 1 :]
        if rest and not (rest.startswith(":") and rest[1:].isdigit()):
            return ""
        return authority[: end + 1]
    host, sep, port = authority.partition(":")
    if sep and not port.isdigit():
        return ""
    return host
