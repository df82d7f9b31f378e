"""The store contract (runtime.store.base), held by every engine alike: the in-memory
default and Redis (a real ``redis-server`` on a loopback port). Redis faults (killed,
frozen, restarted) are checked against the real process too."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from typing import Any

import pytest
from local_services import RedisServer
from mcp_foundry.runtime.store import MemoryStore, Store, StoreUnavailable, open_store
from mcp_foundry.runtime.store.base import position_key
from mcp_foundry.runtime.store.redis import OP_TIMEOUT_S, RedisStore

Opener = Callable[[], Store]


@pytest.fixture(params=["memory", "redis"])
def engine(request: pytest.FixtureRequest) -> Iterator[tuple[Opener, Opener]]:
    """``(open, open_peer)``: a store, and another instance's view of the same state."""
    if request.param == "memory":
        shared = MemoryStore()
        yield (lambda: shared), (lambda: shared)
        return
    server: RedisServer = request.getfixturevalue("redis_server")
    yield (lambda: open_store(server.url)), (lambda: open_store(server.url))


def run(body: Callable[..., Awaitable[Any]], *openers: Opener) -> Any:
    """Run ``body(*stores)`` on a fresh loop, closing the stores afterwards."""

    async def main() -> Any:
        stores = [o() for o in openers]
        try:
            return await body(*stores)
        finally:
            for store in stores:
                await store.close()

    return asyncio.run(main())


# ---- records ------------------------------------------------------------------------------


def test_records(engine: tuple[Opener, Opener]) -> None:
    async def body(store: Store, peer: Store) -> None:
        assert await store.get("r") is None
        await store.put("r", b"one", ttl_s=30)
        assert await peer.get("r") == b"one"
        await peer.put("r", b"two", ttl_s=30)
        assert await store.get("r") == b"two"
        assert await store.put_new("claim", b"me", ttl_s=30) is True
        assert await peer.put_new("claim", b"you", ttl_s=30) is False
        assert await store.get("claim") == b"me"
        assert await store.touch("r", ttl_s=30) is True
        assert await store.touch("absent", ttl_s=30) is False
        await peer.delete("r")
        assert await store.get("r") is None
        await store.delete("absent")  # no error
        assert await store.put_new("r", b"again", ttl_s=30) is True

    run(body, *engine)


def test_record_ttl_and_touch(engine: tuple[Opener, Opener]) -> None:
    async def body(store: Store, peer: Store) -> None:
        await store.put("short", b"x", ttl_s=0.2)
        await store.put("kept", b"y", ttl_s=0.3)
        await asyncio.sleep(0.1)
        assert await peer.touch("kept", ttl_s=2) is True
        await asyncio.sleep(0.35)
        assert await peer.get("short") is None
        assert await store.touch("short", ttl_s=5) is False
        assert await store.get("kept") == b"y"
        assert await store.put_new("short", b"new", ttl_s=5) is True

    run(body, *engine)


# ---- event logs ---------------------------------------------------------------------------


def test_log_append_and_read(engine: tuple[Opener, Opener]) -> None:
    async def body(store: Store, peer: Store) -> None:
        assert await store.read("log") == []
        positions = [await store.append("log", b"e%d" % i, max_len=100, ttl_s=30) for i in range(5)]
        assert sorted(positions, key=position_key) == positions
        assert len(set(positions)) == 5
        events = await peer.read("log")
        assert events == [(p, b"e%d" % i) for i, p in enumerate(positions)]
        assert await peer.read("log", positions[2]) == events[3:]
        assert await peer.read("log", positions[-1]) == []
        assert await store.read("other-log", positions[0]) == []
        with pytest.raises(ValueError):
            await store.read("log", "bogus")
        with pytest.raises(ValueError):
            await store.read("log", "1-2-3")

    run(body, *engine)


def test_log_keeps_at_least_max_len(engine: tuple[Opener, Opener]) -> None:
    async def body(store: Store, peer: Store) -> None:
        for i in range(1000):
            await store.append("capped", b"%d" % i, max_len=5, ttl_s=30)
        events = await peer.read("capped")
        assert [payload for _, payload in events][-5:] == [b"%d" % i for i in range(995, 1000)]
        assert len(events) < 300, "the log is not capped"

    run(body, *engine)


def test_log_ttl_delete_and_touch(engine: tuple[Opener, Opener]) -> None:
    async def body(store: Store, peer: Store) -> None:
        await store.append("brief", b"a", max_len=10, ttl_s=0.2)
        await store.append("kept", b"b", max_len=10, ttl_s=0.3)
        await asyncio.sleep(0.1)
        assert await peer.touch("kept", ttl_s=2) is True
        await asyncio.sleep(0.35)
        assert await peer.read("brief") == []
        assert [p for _, p in await peer.read("kept")] == [b"b"]
        await store.delete("kept")
        assert await peer.read("kept") == []

    run(body, *engine)


def test_blocking_read(engine: tuple[Opener, Opener]) -> None:
    async def body(store: Store, peer: Store) -> None:
        first = await store.append("wait", b"first", max_len=10, ttl_s=30)

        async def later() -> str:
            await asyncio.sleep(0.2)
            return await peer.append("wait", b"second", max_len=10, ttl_s=30)

        started = time.monotonic()
        writer = asyncio.create_task(later())
        got = await store.read("wait", first, wait_s=5)
        assert time.monotonic() - started < 2
        assert got == [(await writer, b"second")]

        started = time.monotonic()
        assert await store.read("wait", got[0][0], wait_s=0.3) == []
        assert 0.25 <= time.monotonic() - started < 2

        # a log that does not exist yet: waits for its first event
        writer2 = asyncio.create_task(peer.append("fresh", b"x", max_len=10, ttl_s=30))
        assert [p for _, p in await store.read("fresh", wait_s=5)] == [b"x"]
        await writer2

    run(body, *engine)


# ---- indexes ------------------------------------------------------------------------------


def test_index(engine: tuple[Opener, Opener]) -> None:
    async def body(store: Store, peer: Store) -> None:
        assert await store.index_members("ix") == []
        await store.index_add("ix", "a", ttl_s=30)
        await peer.index_add("ix", "b", ttl_s=30)
        await store.index_add("ix", "a", ttl_s=30)
        assert sorted(await peer.index_members("ix")) == ["a", "b"]
        await peer.index_remove("ix", "a")
        await peer.index_remove("ix", "absent")
        assert await store.index_members("ix") == ["b"]

        await store.index_add("ix", "brief", ttl_s=0.2)
        await store.index_add("ix", "refreshed", ttl_s=0.2)
        await asyncio.sleep(0.1)
        await peer.index_add("ix", "refreshed", ttl_s=2)
        await asyncio.sleep(0.25)
        assert sorted(await store.index_members("ix")) == ["b", "refreshed"]

        # a short-lived member does not shorten a longer one's life
        await store.index_add("mixed", "long", ttl_s=2)
        await store.index_add("mixed", "short", ttl_s=0.1)
        await asyncio.sleep(0.3)
        assert await peer.index_members("mixed") == ["long"]

        await store.index_add("gone", "x", ttl_s=0.1)
        await asyncio.sleep(0.25)
        assert await peer.index_members("gone") == []

    run(body, *engine)


# ---- channels -----------------------------------------------------------------------------


async def next_message(messages: Any, timeout: float = 5) -> bytes:
    return bytes(await asyncio.wait_for(anext(messages), timeout))


def test_channels(engine: tuple[Opener, Opener]) -> None:
    async def body(store: Store, peer: Store) -> None:
        await peer.publish("ch", b"nobody listens")  # not an error
        # subscribers entering at the same moment are all subscribed once entered
        async with AsyncExitStack() as stack:
            entered = await asyncio.gather(
                *(stack.enter_async_context(store.subscribe("together")) for _ in range(3))
            )
            await peer.publish("together", b"all")
            assert [await next_message(m) for m in entered] == [b"all"] * 3
        async with store.subscribe("ch") as first, peer.subscribe("ch") as second:
            async with store.subscribe("other") as other:
                await peer.publish("ch", b"one")
                await store.publish("ch", b"two")
                assert [await next_message(first), await next_message(first)] == [b"one", b"two"]
                assert [await next_message(second), await next_message(second)] == [
                    b"one",
                    b"two",
                ]
                with pytest.raises(TimeoutError):
                    await next_message(other, timeout=0.2)
            await peer.publish("ch", b"three")
            assert await next_message(first) == b"three"
        # every subscriber gone: publishing still works, and a new subscriber starts fresh
        await peer.publish("ch", b"lost")
        async with store.subscribe("ch") as again:
            await peer.publish("ch", b"four")
            assert await next_message(again) == b"four"

    run(body, *engine)


# ---- Redis only: key prefix, faults --------------------------------------------------------


def test_redis_prefix_separates_servers(redis_server: RedisServer) -> None:
    async def body(a: Store, b: Store) -> None:
        await a.put("k", b"a", ttl_s=30)
        assert await b.get("k") is None
        await b.put("k", b"b", ttl_s=30)
        assert await a.get("k") == b"a"
        async with b.subscribe("ch") as messages:
            await a.publish("ch", b"for a")
            with pytest.raises(TimeoutError):
                await next_message(messages, timeout=0.2)

    run(
        body,
        lambda: RedisStore(redis_server.url),
        lambda: RedisStore(redis_server.url + "?prefix=other:"),
    )


async def unavailable(call: Awaitable[Any], within: float) -> str:
    """``call`` raised StoreUnavailable within ``within`` seconds; its message."""
    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as raised:
        await call
    assert time.monotonic() - started < within
    return str(raised.value)


def test_redis_stopped_then_restarted(redis_server: RedisServer) -> None:
    async def body(store: Store) -> None:
        await store.put("k", b"v", ttl_s=30)
        position = await store.append("log", b"e", max_len=10, ttl_s=30)
        async with store.subscribe("ch") as messages:
            redis_server.stop()
            calls: list[Awaitable[Any]] = [
                store.get("k"),
                store.put("k", b"v", ttl_s=30),
                store.put_new("n", b"v", ttl_s=30),
                store.touch("k", ttl_s=30),
                store.delete("k"),
                store.append("log", b"e", max_len=10, ttl_s=30),
                store.read("log", position),
                store.read("log", position, wait_s=10),
                store.index_add("ix", "m", ttl_s=30),
                store.index_members("ix"),
                store.index_remove("ix", "m"),
                store.publish("ch", b"x"),
            ]
            for call in calls:
                text = await unavailable(call, within=3)
                assert str(redis_server.port) not in text and "redis://" not in text
            with pytest.raises(StoreUnavailable):
                async with store.subscribe("later"):
                    pass

            redis_server.start()
            # the same store object works again (Redis came back empty)
            assert await store.get("k") is None
            await store.put("k", b"back", ttl_s=30)
            assert await store.get("k") == b"back"
            assert [p for _, p in await store.read("log")] == []
            await store.index_add("ix", "m", ttl_s=30)
            assert await store.index_members("ix") == ["m"]
            # and the subscription taken before the restart is re-established
            deadline = time.monotonic() + 10
            while True:
                await store.publish("ch", b"after restart")
                try:
                    assert await next_message(messages, timeout=0.2) == b"after restart"
                    break
                except TimeoutError:
                    assert time.monotonic() < deadline, "not re-subscribed after restart"

    run(body, lambda: open_store(redis_server.url))


def test_redis_blocked_read_interrupted(redis_server: RedisServer) -> None:
    async def body(store: Store) -> None:
        waiting = asyncio.create_task(store.read("log", wait_s=30))
        await asyncio.sleep(0.3)
        started = time.monotonic()
        redis_server.stop()
        with pytest.raises(StoreUnavailable):
            await waiting
        assert time.monotonic() - started < 5

    run(body, lambda: open_store(redis_server.url))


def test_redis_frozen_never_hangs(redis_server: RedisServer) -> None:
    """A Redis that accepts but never answers (SIGSTOP) still gets a bounded answer."""

    async def body(store: Store) -> None:
        await store.put("k", b"v", ttl_s=30)
        assert redis_server.process is not None
        os.kill(redis_server.process.pid, signal.SIGSTOP)
        try:
            await unavailable(store.get("k"), within=OP_TIMEOUT_S + 2)
        finally:
            os.kill(redis_server.process.pid, signal.SIGCONT)
        assert await store.get("k") == b"v"

    run(body, lambda: open_store(redis_server.url))
