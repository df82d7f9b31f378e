"""2025-11-25 task input across instances: a task running on A that asks its requestor
something sends the request on the stream of a ``tasks/result`` that landed on B; the
client's answer (posted to any instance) reaches A and the result comes back on B's
stream. A ``tasks/result`` whose task's instance died ends with the ``failed`` outcome
once the lease lapses: nothing waits forever. In process (one shared store, and Redis)
and through the real haproxy + Redis cluster."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import orjson
import pytest
from local_services import Cluster
from mcp_foundry.authoring import SharedTaskStore
from mcp_foundry.runtime.http.sse import EventParser
from modern_cluster import (
    ELICIT,
    LEASE_S,
    PROCESS_APP,
    PROCESS_LEASE_S,
    LocalCluster,
    legacy,
    legacy_headers,
    session,
)

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(90)]
RELATED = "io.modelcontextprotocol/related-task"
_ids = itertools.count(1000)


@pytest.fixture(scope="module")
def cluster(local_trio: LocalCluster) -> LocalCluster:
    return local_trio


class ResultStream:
    """What one ``tasks/result`` stream brought, in order; its final response last."""

    def __init__(self, rid: int) -> None:
        self.rid = rid
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def get(self, timeout: float = 10) -> dict[str, Any]:
        return await asyncio.wait_for(self.queue.get(), timeout)

    def brought(self) -> list[dict[str, Any]]:
        """What arrived and was not taken yet (taking it)."""
        found = []
        while not self.queue.empty():
            found.append(self.queue.get_nowait())
        return found


@asynccontextmanager
async def task_result(
    http: httpx.AsyncClient, url: str, sid: str, task_id: str
) -> AsyncIterator[ResultStream]:
    """A ``tasks/result`` on ``url`` whose stream's messages arrive in order."""
    stream = ResultStream(next(_ids))
    body = {
        "jsonrpc": "2.0",
        "id": stream.rid,
        "method": "tasks/result",
        "params": {"taskId": task_id},
    }

    async def pump() -> None:
        async with http.stream(
            "POST", url, content=orjson.dumps(body), headers=legacy_headers(sid)
        ) as response:
            if not response.headers["content-type"].startswith("text/event-stream"):
                stream.queue.put_nowait(orjson.loads(await response.aread()))
                return
            parser = EventParser()
            async for chunk in response.aiter_raw():
                for event in parser.feed(chunk):
                    if event.data:
                        stream.queue.put_nowait(orjson.loads(event.data))

    job = asyncio.create_task(pump())
    try:
        yield stream
    finally:
        job.cancel()
        await asyncio.gather(job, return_exceptions=True)


async def answer(
    http: httpx.AsyncClient, url: str, sid: str, request_id: Any, refuse: bool = False
) -> None:
    """The client's answer to the server's elicitation (or, ``refuse``, a JSON-RPC error),
    posted to ``url``."""
    reply: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id}
    if refuse:
        reply["error"] = {"code": -32600, "message": "the user walked away"}
    else:
        reply["result"] = {"action": "accept", "content": {"ok": True}}
    posted = await http.post(url, content=orjson.dumps(reply), headers=legacy_headers(sid))
    assert posted.status_code == 202, posted.text


async def confirm_task(http: httpx.AsyncClient, url: str) -> tuple[str, str]:
    """A session opened at ``url`` (its client elicits) and ``confirm`` called there as a
    task: the session id and the task id."""
    sid = await session(http, url, ELICIT)
    call = {"name": "confirm", "arguments": {}, "task": {"ttl": 30_000}}
    created = await legacy(http, url, sid, "tools/call", call)
    task_id: str = created["result"]["task"]["taskId"]
    return sid, task_id


async def input_round(
    http: httpx.AsyncClient, call_at: str, read_at: str, answer_at: str
) -> tuple[str, dict[str, Any]]:
    """``confirm`` as a task called at ``call_at``, its ``tasks/result`` at ``read_at``,
    the elicitation answered at ``answer_at``; the task id and the final response."""
    sid, task_id = await confirm_task(http, call_at)
    async with task_result(http, read_at, sid, task_id) as stream:
        asked = await asyncio.wait_for(stream.get(), 10)
        assert asked.get("method") == "elicitation/create", asked
        assert asked["params"]["message"] == "Proceed?"
        assert asked["params"]["_meta"][RELATED] == {"taskId": task_id}
        await answer(http, answer_at, sid, asked["id"])
        final = await asyncio.wait_for(stream.get(), 10)
    return task_id, final


async def test_input_of_a_task_on_a_reaches_a_result_stream_on_b(cluster: LocalCluster) -> None:
    a, b, c = cluster.urls
    async with httpx.AsyncClient(timeout=20) as http:
        task_id, final = await input_round(http, a, b, c)
        assert final["result"]["content"][0]["text"] == "accept: {'ok': True}", final
        assert final["result"]["_meta"][RELATED] == {"taskId": task_id}
        # the same on the owner itself (its tasks/result delivers the request the same way)
        task_id, final = await input_round(http, a, a, b)
        assert final["result"]["content"][0]["text"] == "accept: {'ok': True}", final


async def test_an_error_answer_reaches_the_task_on_a(cluster: LocalCluster) -> None:
    """The client answers the request with an error on C: the task on A gets it (its
    request fails as it would on one instance), and B's ``tasks/result`` answers that."""
    a, b, c = cluster.urls
    async with httpx.AsyncClient(timeout=20) as http:
        sid, task_id = await confirm_task(http, a)
        async with task_result(http, b, sid, task_id) as stream:
            asked = await asyncio.wait_for(stream.get(), 10)
            await answer(http, c, sid, asked["id"], refuse=True)
            final = await asyncio.wait_for(stream.get(), 10)
        assert final["error"]["code"] == -32600, final  # as if the task had asked itself
        got = await legacy(http, c, sid, "tasks/get", {"taskId": task_id})
        assert got["result"]["status"] == "failed", got


async def test_a_result_stream_outlives_no_owner(cluster: LocalCluster) -> None:
    """A's instance dies while B's ``tasks/result`` waits: failed once the lease lapses."""
    a, b, _ = cluster.urls
    backend = cluster.apps[0].task_store
    assert isinstance(backend, SharedTaskStore)
    async with httpx.AsyncClient(timeout=20) as http:
        sid = await session(http, a)
        call = {"name": "hold", "arguments": {"key": "died"}, "task": {}}
        created = await legacy(http, a, sid, "tools/call", call)
        task_id = created["result"]["task"]["taskId"]

        async def vanish() -> None:
            """A's process is gone: its lease is not renewed, its work stops."""
            for job in backend._background:
                job.cancel()
            task = backend._local.pop(task_id)
            assert task.runner is not None
            task.runner.cancel()

        async with task_result(http, b, sid, task_id) as stream:
            await asyncio.sleep(0.2)
            began = time.monotonic()
            cluster.run(vanish())
            final = await asyncio.wait_for(stream.get(), 15)
        assert final["error"]["code"] == -32603, final
        assert time.monotonic() - began < 10


async def elicitations(
    streams: list[ResultStream], settle_s: float, within_s: float = 10
) -> list[tuple[int, Any]]:
    """Which streams brought an elicitation (index, request id): waits ``within_s`` at
    most for the first, then ``settle_s`` more for any other (each stream's other
    messages are kept)."""
    deadline = time.monotonic() + within_s
    found: list[tuple[int, Any]] = []
    settled: float | None = None
    while True:
        for index, stream in enumerate(streams):
            for message in stream.brought():
                if message.get("method") == "elicitation/create":
                    found.append((index, message["id"]))
                else:
                    stream.queue.put_nowait(message)
        now = time.monotonic()
        if found and settled is None:
            settled = now + settle_s
        if (settled is not None and now >= settled) or now >= deadline:
            return found
        await asyncio.sleep(0.02)


async def test_several_result_streams_carry_the_request_once(cluster: LocalCluster) -> None:
    """Three ``tasks/result`` wait for A's task at once, two on B, one on C: the request
    goes out on one stream only; after the answer every one of them gets the result."""
    a, b, c = cluster.urls
    async with httpx.AsyncClient(timeout=20) as http:
        sid, task_id = await confirm_task(http, a)
        async with (
            task_result(http, b, sid, task_id) as one,
            task_result(http, b, sid, task_id) as two,
            task_result(http, c, sid, task_id) as three,
        ):
            streams = [one, two, three]
            asked = await elicitations(streams, settle_s=1.0)
            assert len(asked) == 1, asked
            await answer(http, a, sid, asked[0][1])
            finals = [await s.get() for s in streams]
        for stream, final in zip(streams, finals, strict=True):
            assert final["id"] == stream.rid, final
            assert final["result"]["content"][0]["text"] == "accept: {'ok': True}", final


async def test_a_request_whose_stream_ends_goes_to_another_waiter(cluster: LocalCluster) -> None:
    """B's ``tasks/result`` carries the request, for longer than a lease, and is cancelled
    before the client answers: the request goes out again on C's waiting stream (only
    then), which gets the result."""
    a, b, c = cluster.urls
    async with httpx.AsyncClient(timeout=20) as http:
        sid, task_id = await confirm_task(http, a)
        async with task_result(http, b, sid, task_id) as first:
            assert (await elicitations([first], settle_s=0))[0][0] == 0
            async with task_result(http, c, sid, task_id) as second:
                # not repeated, even past a lease (B renews its claim while it waits)
                assert await elicitations([second], 0, within_s=LEASE_S * 1.5) == []
                cancel = {"requestId": first.rid, "reason": "the user switched views"}
                await legacy_notify(http, b, sid, "notifications/cancelled", cancel)
                again = await elicitations([second], settle_s=0)
                assert [index for index, _ in again] == [0], again
                await answer(http, a, sid, again[0][1])
                final = await second.get()
        assert final["id"] == second.rid, final
        assert final["result"]["content"][0]["text"] == "accept: {'ok': True}", final


async def test_a_request_whose_stream_ends_goes_to_the_next_result(cluster: LocalCluster) -> None:
    """Nobody else waits when B's stream is cancelled: the next ``tasks/result`` (on C)
    sends the request again (the claim was withdrawn, not left to block it)."""
    a, b, c = cluster.urls
    async with httpx.AsyncClient(timeout=20) as http:
        sid, task_id = await confirm_task(http, a)
        async with task_result(http, b, sid, task_id) as first:
            assert await elicitations([first], 0) != []
            cancel = {"requestId": first.rid, "reason": "the user switched views"}
            await legacy_notify(http, b, sid, "notifications/cancelled", cancel)
            await asyncio.sleep(0.3)
        async with task_result(http, c, sid, task_id) as later:
            again = await elicitations([later], 0, within_s=1.0)  # not a lapse: at once
            assert again != []
            await answer(http, c, sid, again[0][1])
            final = await later.get()
        assert final["result"]["content"][0]["text"] == "accept: {'ok': True}", final


async def legacy_notify(
    http: httpx.AsyncClient, url: str, sid: str, method: str, params: dict[str, Any]
) -> None:
    message = {"jsonrpc": "2.0", "method": method, "params": params}
    posted = await http.post(url, content=orjson.dumps(message), headers=legacy_headers(sid))
    assert posted.status_code == 202, posted.text


@pytest.fixture
def modern(make_cluster: Any) -> Cluster:
    """Three instances of the scale tests' app behind haproxy."""
    made: Cluster = make_cluster(3, app=PROCESS_APP)
    return made


async def owner_of(http: httpx.AsyncClient, url: str, sid: str, call: dict[str, Any]) -> Any:
    """``tools/call`` as a task through the balancer; its task id and the instance."""
    message = {"jsonrpc": "2.0", "id": next(_ids), "method": "tools/call", "params": call}
    response = await http.post(url, content=orjson.dumps(message), headers=legacy_headers(sid))
    assert response.status_code == 200, response.text
    body = response.json()
    assert "result" in body, body
    return body["result"]["task"]["taskId"], int(response.headers["x-served-by"][1:])


async def test_input_round_through_the_balancer(modern: Cluster) -> None:
    """Called through haproxy, read on another instance, answered through haproxy."""
    url = modern.url
    async with httpx.AsyncClient(timeout=20) as http:
        sid = await session(http, url, ELICIT)
        call = {"name": "confirm", "arguments": {}, "task": {"ttl": 30_000}}
        task_id, owner = await owner_of(http, url, sid, call)
        elsewhere = modern.instances[(owner + 1) % 3].url
        async with task_result(http, elsewhere, sid, task_id) as stream:
            asked = await asyncio.wait_for(stream.get(), 15)
            assert asked.get("method") == "elicitation/create", (asked, modern.logs())
            assert asked["params"]["_meta"][RELATED] == {"taskId": task_id}
            await answer(http, url, sid, asked["id"])
            final = await asyncio.wait_for(stream.get(), 15)
        assert final["result"]["content"][0]["text"] == "accept: {'ok': True}", final
        got = await legacy(http, url, sid, "tasks/get", {"taskId": task_id})
        assert got["result"]["status"] == "completed"


async def test_a_result_stream_of_a_killed_owner_ends_failed(modern: Cluster) -> None:
    url = modern.url
    async with httpx.AsyncClient(timeout=20) as http:
        sid = await session(http, url)
        call = {"name": "hold", "arguments": {"key": "k"}, "task": {}}
        task_id, owner = await owner_of(http, url, sid, call)
        elsewhere = modern.instances[(owner + 1) % 3].url
        async with task_result(http, elsewhere, sid, task_id) as stream:
            await asyncio.sleep(0.3)
            modern.instances[owner].kill()
            began = time.monotonic()
            final = await asyncio.wait_for(stream.get(), 15)
        assert final["error"]["code"] == -32603, final
        assert time.monotonic() - began < 10


async def test_a_request_carried_by_a_killed_instance_goes_to_another_waiter(
    modern: Cluster,
) -> None:
    """The instance whose ``tasks/result`` carries the request dies unanswered: once its
    claim lapses, a waiter on a third instance sends the request and gets the result."""
    url = modern.url
    async with httpx.AsyncClient(timeout=20) as http:
        sid = await session(http, url, ELICIT)
        call = {"name": "confirm", "arguments": {}, "task": {"ttl": 30_000}}
        task_id, owner = await owner_of(http, url, sid, call)
        carrier, other = (modern.instances[(owner + n) % 3] for n in (1, 2))
        async with task_result(http, carrier.url, sid, task_id) as first:
            assert await elicitations([first], 0) != [], modern.logs()
            async with task_result(http, other.url, sid, task_id) as second:
                assert await elicitations([second], 0, within_s=1.0) == []
                carrier.kill()
                began = time.monotonic()
                again = await elicitations([second], 0)
                assert again != [], modern.logs()
                assert time.monotonic() - began < 3 * PROCESS_LEASE_S
                await answer(http, other.url, sid, again[0][1])
                final = await second.get(15)
        assert final["result"]["content"][0]["text"] == "accept: {'ok': True}", final
