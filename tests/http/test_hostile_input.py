"""Hostile and malformed HTTP against a live server: every one gets a clear 4xx."""

from __future__ import annotations

import socket

import httpx
import pytest
from http_support import BOTH, Live, modern_headers, modern_request, post


def test_foreign_host_is_refused_with_421(live: Live, http: httpx.Client) -> None:
    headers = modern_headers("tools/list", host="evil.example.com")
    response = post(http, live.url, modern_request("tools/list"), headers)
    assert response.status_code == 421
    assert response.json()["error"]["code"] == -32600


def test_foreign_origin_is_refused_with_403(live: Live, http: httpx.Client) -> None:
    headers = modern_headers("tools/list", origin="http://evil.example.com")
    response = post(http, live.url, modern_request("tools/list"), headers)
    assert response.status_code == 403
    assert "id" in response.json() and response.json()["id"] is None


@pytest.mark.parametrize("origin", ["http://localhost:1234", "http://127.0.0.1", "https://[::1]:9"])
def test_loopback_origins_are_served(live: Live, http: httpx.Client, origin: str) -> None:
    port = live.url.split(":")[2].split("/")[0]
    headers = modern_headers("tools/list", origin=origin, host=f"localhost:{port}")
    assert post(http, live.url, modern_request("tools/list"), headers).status_code == 200


def test_wrong_content_type_is_415(live: Live, http: httpx.Client) -> None:
    headers = modern_headers("tools/list", **{"content-type": "text/plain"})
    assert post(http, live.url, modern_request("tools/list"), headers).status_code == 415


@pytest.mark.parametrize("accept", ["", "application/json", "text/event-stream", "text/html"])
def test_post_must_accept_json_and_sse(live: Live, http: httpx.Client, accept: str | None) -> None:
    headers = modern_headers("tools/list")
    del headers["accept"]
    if accept is not None:
        headers["accept"] = accept
    assert post(http, live.url, modern_request("tools/list"), headers).status_code == 406


def test_oversized_body_is_413_before_reading(live: Live, http: httpx.Client) -> None:
    huge = (
        b'{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"x":"' + b"a" * 200_000 + b'"}}'
    )
    response = post(http, live.url, huge, modern_headers("tools/list"))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == -32600


def test_oversized_chunked_body_is_413(live: Live, http: httpx.Client) -> None:
    def chunks():  # type: ignore[no-untyped-def]
        yield b'{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"x":"'
        for _ in range(100):
            yield b"a" * 4096
        yield b'"}}'

    response = http.post(live.url, content=chunks(), headers=modern_headers("tools/list"))
    assert response.status_code == 413


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"",
        b"\xff\xfe",
        b'{"jsonrpc":"2.0","id":1,"method":',
        b"[" * 60_000,
    ],
)
def test_malformed_json_is_400_parse_error(live: Live, http: httpx.Client, body: bytes) -> None:
    response = post(http, live.url, body, modern_headers("tools/list"))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == -32700


@pytest.mark.parametrize(
    "body",
    [
        b"5",
        b"[]",
        b"[1,2]",
        b'{"jsonrpc":"1.0","id":1,"method":"x"}',
        b'{"id":true,"jsonrpc":"2.0","method":"x"}',
    ],
)
def test_non_messages_are_400_invalid_request(live: Live, http: httpx.Client, body: bytes) -> None:
    response = post(http, live.url, body, modern_headers("tools/list"))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == -32600


def test_unknown_and_missing_session_ids(live: Live, http: httpx.Client) -> None:
    legacy_call = {"jsonrpc": "2.0", "id": 5, "method": "tools/list"}
    unknown = post(
        http,
        live.url,
        legacy_call,
        {"accept": BOTH, "content-type": "application/json", "mcp-session-id": "nope"},
    )
    assert unknown.status_code == 404
    assert unknown.json()["id"] == 5
    missing = post(
        http,
        live.url,
        legacy_call,
        {"accept": BOTH, "content-type": "application/json"},
    )
    assert missing.status_code == 400
    assert missing.json()["id"] == 5
    assert (
        http.get(
            live.url, headers={"accept": "text/event-stream", "mcp-session-id": "nope"}
        ).status_code
        == 404
    )
    assert http.delete(live.url, headers={"mcp-session-id": "nope"}).status_code == 404


def test_get_and_delete_without_session_are_405(live: Live, http: httpx.Client) -> None:
    assert http.get(live.url, headers={"accept": "text/event-stream"}).status_code == 405
    assert http.delete(live.url).status_code == 405
    assert http.put(live.url, content=b"{}").status_code == 405


def test_garbage_on_the_socket_does_not_hurt_the_server(live: Live, http: httpx.Client) -> None:
    host, port = live.url.split("//")[1].split("/")[0].split(":")
    for junk in (
        b"\x00\x01\x02garbage\r\n\r\n",
        b"POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Length: 99999999999\r\n\r\n",
    ):
        with socket.create_connection((host, int(port)), timeout=5) as sock:
            sock.sendall(junk)
            sock.shutdown(socket.SHUT_WR)
            reply = sock.recv(4096)
            assert reply == b"" or reply.startswith(b"HTTP/1.1 4")
    assert (
        post(http, live.url, modern_request("tools/list"), modern_headers("tools/list")).status_code
        == 200
    )


def test_other_paths_are_404_and_a_trailing_slash_is_redirected(
    live: Live, http: httpx.Client
) -> None:
    """The app's own routing: 404 off the known paths, 307 to the MCP path from its
    trailing-slash spelling (query kept), which then serves as usual."""
    missing = http.post(live.base + "/nope", content=b"{}")
    assert (missing.status_code, missing.text) == (404, "Not Found")
    slash = http.post(live.url + "/?x=1", content=b"{}")
    assert slash.status_code == 307
    assert slash.headers["location"] == "/mcp?x=1"
