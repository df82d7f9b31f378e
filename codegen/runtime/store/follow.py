"""Following a store channel for as long as a task runs: the one loop that subscribes,
hands each message on, and subscribes again after the store failed (a Redis restart),
shared by every part of an instance that listens to its peers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from mcp_foundry.runtime.store.base import Store, StoreUnavailable

log = logging.getLogger("mcp_foundry.runtime")

RETRY_S = 1.0
"""Pause before subscribing again after the store failed."""


async def follow(
    store: Store,
    channel: str,
    on_message: Callable[[bytes], Awaitable[None]],
    subscribed: asyncio.Event,
    what: str,
) -> None:
    """Hand every message of ``channel`` to ``on_message`` until cancelled; ``subscribed``
    is set exactly while the subscription stands (``what`` names the follower in logs)."""
    while True:
        try:
            async with store.subscribe(channel) as messages:
                subscribed.set()
                async for raw in messages:
                    await on_message(raw)
        except StoreUnavailable:
            log.warning("%s: the store is unavailable; retrying", what)
        except Exception:
            log.exception("%s failed; subscribing again", what)
        finally:
            subscribed.clear()
        await asyncio.sleep(RETRY_S)
