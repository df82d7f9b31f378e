"""Loading what a server keeps for its whole life, without the collector's passes over it.

Importing the authoring layer, the runtime, pydantic, asyncio and, for HTTP, uvicorn
creates objects that live as long as the process (modules, classes, the app), as
``run_stdio`` and ``serve`` assume when they freeze them. Collections while they load find
no garbage: they cost 3% of a stdio server's cold start and 4% of an HTTP one's (issue #15).
Importing ``mcp_foundry.authoring`` freezes too, so a host program that imports it late
keeps the cyclic garbage alive at that moment out of reach (``gc.unfreeze()`` returns it
to the collector); a server imports it at start, when there is none.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def lifelong() -> Iterator[None]:
    """Pause the collector while the block loads lifelong objects, then move everything
    alive into the frozen generation, which later collections skip. A program that
    paused the collector itself keeps it as it was."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()
