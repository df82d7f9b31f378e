"""The store on Redis: what lets several instances of one server act as one.

Records are strings (``SET PX``), event logs are streams (``XADD MAXLEN ~`` + ``PEXPIRE``
in one ``MULTI``), indexes are sorted sets scored by their members' expiry on the Redis
clock (so instances' clocks need not agree), channels are Redis pub/sub over ONE
connection per store that every local subscriber shares. Every call is bounded in time:
a Redis that cannot be reached turns into :class:`~.base.StoreUnavailable` within
:data:`OP_TIMEOUT_S` (plus the wait a blocking read asked for), never a hang.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from mcp_foundry.runtime.store.base import Messages, StoreUnavailable, position_key
from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ReadOnlyError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

log = logging.getLogger("mcp_foundry.runtime.store")

DEFAULT_PREFIX = "mcp:"
"""Put before every key and channel; ``?prefix=`` in the URL changes it (several
servers can then share one Redis database)."""

CONNECT_TIMEOUT_S = 1.0
SOCKET_TIMEOUT_S = 3.0
OP_TIMEOUT_S = 5.0
"""The longest any one call waits for Redis (connects, retries and backoff included)."""
BLOCK_CHUNK_S = 2.0
"""A blocking read waits in slices shorter than the socket timeout, so a dead peer is
noticed by the socket timeout and not only by the caller's ``wait_s``."""

_UNREACHABLE = (RedisConnectionError, RedisTimeoutError, ReadOnlyError, OSError)
"""What "Redis cannot serve us now" looks like (``OSError`` covers asyncio's timeout)."""

# An index member's score is its expiry in ms on the Redis clock; expired members go
# lazily, on the next add or read, and the whole set expires with its last member.
_INDEX_ADD = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1
"""
_INDEX_MEMBERS = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZRANGE', KEYS[1], 0, -1)
"""


def _ms(ttl_s: float) -> int:
    """Redis wants whole, positive milliseconds."""
    return max(1, int(ttl_s * 1000))


def split_prefix(url: str) -> tuple[str, str]:
    """``(url without ?prefix=, prefix)``: redis-py rejects query arguments it does not know."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    prefix = next((v for k, v in query if k == "prefix"), DEFAULT_PREFIX)
    rest = urlencode([(k, v) for k, v in query if k != "prefix"])
    return urlunsplit(parts._replace(query=rest)), prefix


class RedisStore:
    """:class:`~.base.Store` on one Redis database (``redis://[:password@]HOST:PORT/DB``)."""

    shared = True

    def __init__(self, url: str, *, prefix: str | None = None) -> None:
        url, url_prefix = split_prefix(url)
        self._prefix = url_prefix if prefix is None else prefix
        self._redis: Redis = Redis.from_url(
            url,
            protocol=2,
            socket_connect_timeout=CONNECT_TIMEOUT_S,
            socket_timeout=SOCKET_TIMEOUT_S,
            socket_keepalive=True,
            health_check_interval=15,
            retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=3),
            retry_on_error=[RedisConnectionError, RedisTimeoutError],
        )
        self._index_add = self._redis.register_script(_INDEX_ADD)
        self._index_members = self._redis.register_script(_INDEX_MEMBERS)
        self._channels = _Channels(self._redis, self._prefix)

    def _key(self, key: str) -> str:
        return self._prefix + key

    async def _do(self, call: Awaitable[Any], *, extra_s: float = 0.0) -> Any:
        """``call``'s result, or :class:`StoreUnavailable` (no URL, no secret in it)."""
        try:
            async with asyncio.timeout(OP_TIMEOUT_S + extra_s):
                return await call
        except _UNREACHABLE as exc:
            raise StoreUnavailable() from exc

    # ---- records ------------------------------------------------------------------------

    async def get(self, key: str) -> bytes | None:
        value = await self._do(self._redis.get(self._key(key)))
        return None if value is None else bytes(value)

    async def put(self, key: str, value: bytes, *, ttl_s: float) -> None:
        await self._do(self._redis.set(self._key(key), value, px=_ms(ttl_s)))

    async def put_new(self, key: str, value: bytes, *, ttl_s: float) -> bool:
        done = await self._do(self._redis.set(self._key(key), value, px=_ms(ttl_s), nx=True))
        return bool(done)

    async def touch(self, key: str, *, ttl_s: float) -> bool:
        return bool(await self._do(self._redis.pexpire(self._key(key), _ms(ttl_s))))

    async def delete(self, key: str) -> None:
        await self._do(self._redis.delete(self._key(key)))

    # ---- event logs ---------------------------------------------------------------------

    async def append(self, log: str, payload: bytes, *, max_len: int, ttl_s: float) -> str:
        key = self._key(log)

        async def run() -> list[Any]:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.xadd(key, {b"d": payload}, maxlen=max_len, approximate=True)
                pipe.pexpire(key, _ms(ttl_s))
                return await pipe.execute()

        position, _ = await self._do(run())
        return position.decode() if isinstance(position, bytes) else str(position)

    async def read(
        self, log: str, after: str | None = None, *, wait_s: float | None = None
    ) -> list[tuple[str, bytes]]:
        if after is not None:
            position_key(after)  # a ValueError here, not a Redis syntax error later
        key = self._key(log)
        start = "-" if after is None else f"({after}"
        found = _events(await self._do(self._redis.xrange(key, start, "+")))
        if found or not wait_s:
            return found
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_s
        while (remaining := deadline - loop.time()) > 0:
            block_s = min(remaining, BLOCK_CHUNK_S)
            got = await self._do(
                self._redis.xread({key: after or "0-0"}, block=_ms(block_s)), extra_s=block_s
            )
            if got:
                return _events(got[0][1])
        return []

    # ---- indexes ------------------------------------------------------------------------

    async def index_add(self, index: str, member: str, *, ttl_s: float) -> None:
        await self._do(self._index_add(keys=[self._key(index)], args=[member, _ms(ttl_s)]))

    async def index_remove(self, index: str, member: str) -> None:
        await self._do(self._redis.zrem(self._key(index), member))

    async def index_members(self, index: str) -> list[str]:
        members = await self._do(self._index_members(keys=[self._key(index)]))
        return [m.decode() for m in members]

    # ---- channels -----------------------------------------------------------------------

    async def publish(self, channel: str, payload: bytes) -> None:
        await self._do(self._redis.publish(self._key(channel), payload))

    def subscribe(self, channel: str) -> AbstractAsyncContextManager[AsyncIterator[bytes]]:
        return self._channels.subscribe(channel)

    async def close(self) -> None:
        await self._channels.close()
        await self._redis.aclose()


def _events(entries: list[Any]) -> list[tuple[str, bytes]]:
    return [(position.decode(), fields[b"d"]) for position, fields in entries]


class _Channels:
    """Local subscribers multiplexed over one Redis pub/sub connection.

    One reader task takes every message off that connection and hands it to the queues
    of the channel's local subscribers. A channel is subscribed in Redis while it has at
    least one local subscriber. When the connection drops, the reader reconnects with
    backoff and redis-py re-subscribes every channel on the new connection.
    """

    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix
        self._pubsub: PubSub | None = None
        self._reader: asyncio.Task[None] | None = None
        self._queues: dict[str, set[Messages]] = {}
        self._confirmed: dict[str, asyncio.Future[None]] = {}
        self._closed = False

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[bytes]]:
        if self._closed:
            raise StoreUnavailable("the store is closed")
        queue = Messages()
        name = self._prefix + channel
        queues = self._queues.setdefault(name, set())
        queues.add(queue)
        try:
            await self._join(name, first=len(queues) == 1)
        except BaseException:
            await self._leave(name, queue)
            raise
        try:
            yield queue
        finally:
            await self._leave(name, queue)

    async def _join(self, name: str, *, first: bool) -> None:
        """Return once Redis confirmed the subscription (messages published from now on
        reach us). Local subscribers who join meanwhile wait for the same confirmation."""
        if first:
            self._confirmed[name] = asyncio.get_running_loop().create_future()
        confirmed = self._confirmed[name]
        try:
            async with asyncio.timeout(OP_TIMEOUT_S):
                if first:
                    pubsub = await self._connected()
                    await pubsub.subscribe(name)
                await asyncio.shield(confirmed)
        except _UNREACHABLE as exc:
            if first and not confirmed.done():
                confirmed.set_exception(StoreUnavailable())
                confirmed.add_done_callback(lambda f: f.exception())  # others may not wait
            raise StoreUnavailable() from exc

    async def _connected(self) -> PubSub:
        if self._pubsub is None:
            self._pubsub = self._redis.pubsub()
        await self._pubsub.connect()  # type: ignore[no-untyped-call]
        if self._reader is None or self._reader.done():
            self._reader = asyncio.create_task(self._read(self._pubsub))
        return self._pubsub

    async def _leave(self, name: str, queue: Messages) -> None:
        queues = self._queues.get(name)
        if queues is None:
            return
        queues.discard(queue)
        if queues or self._closed:
            return
        del self._queues[name]
        confirmed = self._confirmed.pop(name, None)
        if confirmed is not None and not confirmed.done():
            confirmed.cancel()
        if self._pubsub is not None:
            try:
                async with asyncio.timeout(OP_TIMEOUT_S):
                    await self._pubsub.unsubscribe(name)
            except _UNREACHABLE:
                # gone with the connection anyway; redis-py will not re-subscribe it
                self._pubsub.channels.pop(name.encode(), None)

    async def _read(self, pubsub: PubSub) -> None:
        failures = 0
        while not self._closed:
            try:
                message = await pubsub.get_message(timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                failures += 1
                if failures == 1:
                    log.warning("state store: pub/sub connection lost (%s)", type(exc).__name__)
                await asyncio.sleep(min(2.0, 0.05 * 2 ** min(failures, 6)))
                continue
            if failures:
                log.warning("state store: pub/sub connection back")
                failures = 0
            if message is not None:
                self._dispatch(message)

    def _dispatch(self, message: dict[str, Any]) -> None:
        channel = message["channel"]
        name = channel.decode() if isinstance(channel, bytes) else str(channel)
        if message["type"] == "message":
            for queue in self._queues.get(name, ()):
                queue.put(message["data"])
        elif message["type"] == "subscribe":
            confirmed = self._confirmed.get(name)
            if confirmed is not None and not confirmed.done():
                confirmed.set_result(None)

    async def close(self) -> None:
        self._closed = True
        for queues in self._queues.values():
            for queue in queues:
                queue.end()
        self._queues.clear()
        if self._reader is not None:
            self._reader.cancel()
            try:
                await self._reader
            except asyncio.CancelledError:
                pass
        if self._pubsub is not None:
            try:
                await self._pubsub.aclose()  # type: ignore[no-untyped-call]
            except _UNREACHABLE:
                pass
