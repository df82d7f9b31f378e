"""SSE framing both ways, and the loopback Host/Origin policy."""

from __future__ import annotations

import pytest
from mcp_foundry.runtime.http.security import HostPolicy
from mcp_foundry.runtime.http.sse import EventParser, frame


def test_frames_parse_back_across_arbitrary_chunking() -> None:
    stream = (
        frame(b"", event_id="s1/1", retry_ms=100)
        + b": keepalive\n\n"
        + frame(b'{"a":1}', event_id="s1/2")
        + frame(b"/messages?session_id=x", event="endpoint")
    )
    for size in (1, 2, 7, len(stream)):
        parser = EventParser()
        events = [e for i in range(0, len(stream), size) for e in parser.feed(stream[i : i + size])]
        assert [(e.event, e.data, e.id) for e in events] == [
            ("message", "", "s1/1"),
            ("message", '{"a":1}', "s1/2"),
            ("endpoint", "/messages?session_id=x", None),
        ]
        assert parser.retry_ms == 100
        assert parser.last_event_id == "s1/2"


def test_parser_handles_crlf_and_multiline_data() -> None:
    parser = EventParser()
    events = list(parser.feed(b"data: a\r\ndata: b\r\n\r\ndata:c\r"))
    assert [e.data for e in events] == ["a\nb"]
    assert [e.data for e in parser.feed(b"\n\n")] == ["c"]


@pytest.mark.parametrize(
    "host",
    [
        "localhost",
        "localhost:3001",
        "127.0.0.1:80",
        "[::1]",
        "[::1]:8080",
        "LOCALHOST:1",
    ],
)
def test_loopback_hosts_pass(host: str) -> None:
    assert HostPolicy().host_ok(host)


@pytest.mark.parametrize(
    "host",
    [
        None,
        "",
        "evil.example.com",
        "evil.example.com:3001",
        "localhost.evil.com",
        "127.0.0.1.nip.io",
        "localhost:abc",
        "[::1]x",
        "[::2]:80",
        "0.0.0.0:80",
    ],
)
def test_foreign_hosts_fail(host: str | None) -> None:
    assert not HostPolicy().host_ok(host)


def test_origin_rules() -> None:
    policy = HostPolicy()
    assert policy.origin_ok(None)
    assert policy.origin_ok("http://localhost:3001")
    assert policy.origin_ok("https://[::1]:8443")
    for bad in (
        "http://evil.example.com",
        "null",
        "file://",
        "http://localhost.evil.com",
        "ftp://localhost",
    ):
        assert not policy.origin_ok(bad)
    custom = HostPolicy(
        allowed_hosts=frozenset({"mcp.internal"}),
        allowed_origins=frozenset({"https://app.example"}),
    )
    assert custom.host_ok("mcp.internal:9000") and not custom.host_ok("localhost")
    assert custom.origin_ok("https://app.example") and not custom.origin_ok("http://localhost")
    assert HostPolicy(enabled=False).host_ok("evil.example.com")


def test_stream_table_keeps_recent_finished_streams_only() -> None:
    from mcp_foundry.runtime.http.streams import StreamTable

    table = StreamTable(keep_finished=4)
    streams = [table.open(resumable=True) for _ in range(20)]
    for stream in streams:
        stream.publish(b"{}", final=True)
    live = table.open(resumable=True)
    assert table.find_event(f"{live.key}/1") is not None
    assert table.find_event(f"{streams[-1].key}/2") is not None
    assert table.find_event(f"{streams[0].key}/2") is None
    assert table.find_event("garbage") is None and table.find_event("s1/x") is None


def test_replay_after_a_cursor_and_end_without_response() -> None:
    import asyncio

    from mcp_foundry.runtime.http.streams import ENDED, OutboundStream

    async def run() -> None:
        stream = OutboundStream("s9", resumable=True)
        assert stream.priming_id == "s9/1"
        for n in range(3):
            stream.publish(b"%d" % n)
        stream.end()
        live = stream.attach(after=2)
        got = []
        while not live.empty():
            got.append(await live.get())
        assert [i.payload for i in got] == [b"1", b"2", None] and got[-1] is ENDED
        assert [i.event_id for i in got[:2]] == ["s9/3", "s9/4"]

    asyncio.run(run())


def test_inbox_hands_items_over_in_order_to_one_reader() -> None:
    import asyncio

    from mcp_foundry.runtime.http.streams import ENDED, Inbox, Item

    async def run() -> None:
        inbox = Inbox()
        reader = asyncio.create_task(inbox.get())
        await asyncio.sleep(0)
        with pytest.raises(RuntimeError):
            await inbox.get()  # a second reader would never be woken
        inbox.put_nowait(Item(b"first"))
        inbox.put_nowait(ENDED)
        assert (await reader).payload == b"first"
        assert await inbox.get() is ENDED and inbox.empty()
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(inbox.get(), 0.01)  # a cancelled wait leaves no trace
        inbox.put_nowait(Item(b"later"))
        assert (await inbox.get()).payload == b"later"

    asyncio.run(run())
