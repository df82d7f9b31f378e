"""The protected notes server over raw HTTP: metadata, challenges, scopes per message,
on both eras' Streamable HTTP and the deprecated HTTP+SSE transport."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import orjson
import pytest
from mcp_foundry.runtime.http import HttpConfig
from mcp_foundry.testing.authorization_server import AuthorizationServer
from wire_messages import INITIALIZE

from .support import (
    ACCEPT,
    ADMIN,
    LEGACY,
    READ,
    WRITE,
    Protected,
    challenge_params,
    modern_call,
    modern_headers,
    protected_notes,
)

pytestmark = pytest.mark.timeout(60)


def _post(live: Protected, token: str | None, message: dict[str, object]) -> httpx.Response:
    return httpx.post(
        live.url, content=orjson.dumps(message), headers=modern_headers(token, message), timeout=10
    )


def test_metadata_at_both_well_known_paths(notes: Protected) -> None:
    for path in (
        "/.well-known/oauth-protected-resource/mcp",
        "/.well-known/oauth-protected-resource",
    ):
        response = httpx.get(notes.base + path, timeout=10)
        assert response.status_code == 200
        assert response.json() == {
            "resource": notes.url,
            "authorization_servers": [notes.issuer.issuer],
            "bearer_methods_supported": ["header"],
            "scopes_supported": [READ],
            "resource_name": "Notes",
        }
    assert httpx.post(notes.base + path, timeout=10).status_code == 405


def test_no_token_gets_401_naming_metadata_and_scope(notes: Protected) -> None:
    response = _post(notes, None, modern_call("tools/list"))
    assert response.status_code == 401
    params = challenge_params(response.headers["www-authenticate"])
    assert params["resource_metadata"] == notes.base + "/.well-known/oauth-protected-resource/mcp"
    assert params["scope"] == READ
    assert "error" not in params


@pytest.mark.parametrize("authorization", ["Bearer not-a-jwt", "Bearer a.b.c", "bearer x.y.z"])
def test_bad_token_gets_401_invalid_token(notes: Protected, authorization: str) -> None:
    message = modern_call("tools/list")
    headers = {**modern_headers(None, message), "authorization": authorization}
    response = httpx.post(notes.url, content=orjson.dumps(message), headers=headers, timeout=10)
    assert response.status_code == 401
    assert challenge_params(response.headers["www-authenticate"])["error"] == "invalid_token"
    assert response.json()["error"] == "invalid_token"


def test_other_schemes_count_as_no_token(notes: Protected) -> None:
    message = modern_call("tools/list")
    headers = {**modern_headers(None, message), "authorization": "Basic dXNlcjpwYXNz"}
    response = httpx.post(notes.url, content=orjson.dumps(message), headers=headers, timeout=10)
    assert response.status_code == 401
    assert "error" not in challenge_params(response.headers["www-authenticate"])


def test_token_in_query_string_is_refused_even_when_valid(notes: Protected) -> None:
    message = modern_call("tools/list")
    token = notes.token(READ)
    response = httpx.post(
        notes.url,
        params={"access_token": token},
        content=orjson.dumps(message),
        headers=modern_headers(token, message),
        timeout=10,
    )
    assert response.status_code == 400
    assert challenge_params(response.headers["www-authenticate"])["error"] == "invalid_request"


def test_server_wide_scope_missing_gets_403(notes: Protected) -> None:
    response = _post(notes, notes.token(WRITE), modern_call("tools/list"))
    assert response.status_code == 403
    params = challenge_params(response.headers["www-authenticate"])
    assert (params["error"], params["scope"]) == ("insufficient_scope", READ)


def test_tool_scope_step_up_on_the_modern_wire(notes: Protected) -> None:
    call = modern_call("tools/call", {"name": "write_note", "arguments": {"text": "hi"}})
    refused = _post(notes, notes.token(READ), call)
    assert refused.status_code == 403
    params = challenge_params(refused.headers["www-authenticate"])
    assert params["error"] == "insufficient_scope"
    assert params["scope"] == f"{READ} {WRITE}"
    assert params["resource_metadata"].endswith("/.well-known/oauth-protected-resource/mcp")
    stepped_up = _post(notes, notes.token(READ, WRITE), call)
    assert stepped_up.status_code == 200
    assert stepped_up.json()["result"]["content"][0]["text"].endswith("notes")


def test_prompt_and_resource_scopes(notes: Protected) -> None:
    prompt = modern_call("prompts/get", {"name": "audit", "arguments": {"since": "monday"}})
    read = modern_call("resources/read", {"uri": "notes://item/0"})
    for message in (prompt, read):
        refused = _post(notes, notes.token(READ), message)
        assert refused.status_code == 403
        assert challenge_params(refused.headers["www-authenticate"])["scope"] == f"{ADMIN} {READ}"
        assert _post(notes, notes.token(READ, ADMIN), message).status_code == 200
    assert (
        _post(
            notes, notes.token(READ), modern_call("resources/read", {"uri": "notes://count"})
        ).status_code
        == 200
    )


def test_completions_need_what_the_prompt_or_template_needs(notes: Protected) -> None:
    for ref in (
        {"type": "ref/prompt", "name": "audit"},
        {"type": "ref/resource", "uri": "notes://item/{index}"},
    ):
        argument = {"name": "since" if "name" in ref else "index", "value": ""}
        message = modern_call("completion/complete", {"ref": ref, "argument": argument})
        refused = _post(notes, notes.token(READ), message)
        assert refused.status_code == 403
        assert challenge_params(refused.headers["www-authenticate"])["scope"] == f"{ADMIN} {READ}"
        assert _post(notes, notes.token(READ, ADMIN), message).status_code == 200


def test_lists_hide_what_the_token_cannot_use(notes: Protected) -> None:
    def names(token: str, method: str, field: str, key: str) -> set[str]:
        body = _post(notes, token, modern_call(method)).json()["result"]
        return {item[key] for item in body[field]}

    reader, admin = notes.token(READ), notes.token(READ, WRITE, ADMIN)
    everyone = {"read_notes", "whoami", "clear_notes"}
    assert names(reader, "tools/list", "tools", "name") == everyone
    assert names(admin, "tools/list", "tools", "name") == everyone | {"write_note"}
    assert names(reader, "prompts/list", "prompts", "name") == set()
    assert names(admin, "prompts/list", "prompts", "name") == {"audit"}
    templates = ("resources/templates/list", "resourceTemplates", "uriTemplate")
    assert names(reader, *templates) == set()
    assert names(admin, *templates) == {"notes://item/{index}"}
    assert names(reader, "resources/list", "resources", "uri") == {"notes://count"}


def test_answers_to_a_token_are_cached_privately(notes: Protected) -> None:
    """The app says ``public``, but a list filtered by the caller's scopes is theirs."""
    for method in ("tools/list", "resources/list"):
        result = _post(notes, notes.token(READ), modern_call(method)).json()["result"]
        assert result["cacheScope"] == "private"
    read = modern_call("resources/read", {"uri": "notes://count"})
    assert _post(notes, notes.token(READ), read).json()["result"]["cacheScope"] == "private"


def test_claims_reach_ctx(notes: Protected) -> None:
    call = modern_call("tools/call", {"name": "whoami", "arguments": {}})
    answer = _post(notes, notes.token(READ, subject="ada", client_id="app-7"), call).json()
    assert answer["result"]["content"][0]["text"] == f"ada|app-7|{READ}"


def _legacy(
    live: Protected, token: str, message: dict[str, object], session: str | None = None
) -> httpx.Response:
    headers = {
        "accept": ACCEPT,
        "content-type": "application/json",
        "authorization": f"Bearer {token}",
    }
    if session is not None:
        headers |= {"mcp-session-id": session, "mcp-protocol-version": LEGACY}
    return httpx.post(live.url, content=orjson.dumps(message), headers=headers, timeout=10)


def _result(response: httpx.Response) -> dict[str, object]:
    if response.headers["content-type"].startswith("text/event-stream"):
        data = [line[6:] for line in response.text.splitlines() if line.startswith("data: ")]
        return orjson.loads(data[-1])["result"]  # type: ignore[no-any-return]
    return response.json()["result"]  # type: ignore[no-any-return]


def test_legacy_session_each_request_judged_by_its_own_token(notes: Protected) -> None:
    reader, writer = notes.token(READ, subject="ada"), notes.token(READ, WRITE, subject="ada")
    opened = _legacy(notes, reader, INITIALIZE)
    assert opened.status_code == 200
    session = opened.headers["mcp-session-id"]
    _legacy(notes, reader, {"jsonrpc": "2.0", "method": "notifications/initialized"}, session)
    listing = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
    as_reader = _result(_legacy(notes, reader, listing, session))
    assert "write_note" not in {t["name"] for t in as_reader["tools"]}  # type: ignore[attr-defined]
    as_writer = _result(_legacy(notes, writer, listing, session))
    assert "write_note" in {t["name"] for t in as_writer["tools"]}  # type: ignore[attr-defined]
    call = {
        "jsonrpc": "2.0",
        "id": 3,
        "method": "tools/call",
        "params": {"name": "write_note", "arguments": {"text": "x"}},
    }
    assert _legacy(notes, reader, call, session).status_code == 403
    assert _legacy(notes, writer, call, session).status_code == 200
    batch_refused = _legacy(notes, reader, [call], session)
    assert batch_refused.status_code == 403


def test_deprecated_sse_transport_is_protected(notes: Protected) -> None:
    assert httpx.get(notes.base + "/sse", timeout=10).status_code == 401
    token = notes.token(READ)
    headers = {"authorization": f"Bearer {token}", "accept": "text/event-stream"}
    with httpx.stream("GET", notes.base + "/sse", headers=headers, timeout=10) as stream:
        assert stream.status_code == 200
        lines = stream.iter_lines()
        endpoint = next(line for line in lines if line.startswith("data: "))[6:]
        messages = notes.base + endpoint
        call = {
            "jsonrpc": "2.0",
            "id": 9,
            "method": "tools/call",
            "params": {"name": "write_note", "arguments": {"text": "y"}},
        }
        post = {"content-type": "application/json"}
        assert httpx.post(messages, json=call, headers=post, timeout=10).status_code == 401
        refused = httpx.post(
            messages, json=call, headers={**post, "authorization": f"Bearer {token}"}, timeout=10
        )
        assert refused.status_code == 403
        assert challenge_params(refused.headers["www-authenticate"])["scope"] == f"{READ} {WRITE}"


def test_no_token_or_claims_in_bodies_or_logs(
    notes: Protected, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret_subject = "subject-that-must-not-leak"
    tokens = [
        notes.token(READ, subject=secret_subject, audience="http://elsewhere/mcp"),
        notes.token(READ, subject=secret_subject, lifetime_s=-3600),
        notes.token(READ, subject=secret_subject, issuer="http://evil.example"),
        notes.token(WRITE, subject=secret_subject),
    ]
    for token in tokens:
        response = _post(notes, token, modern_call("tools/list"))
        assert response.status_code in (401, 403)
        shown = response.text + str(response.headers)
        assert token not in shown and secret_subject not in shown
        assert token.split(".")[1] not in shown
    assert all(secret_subject not in r.getMessage() for r in caplog.records)
    assert all(t not in caplog.text for t in tokens)


def test_a_session_answers_only_the_caller_who_opened_it(notes: Protected) -> None:
    ada, bob = notes.token(READ, subject="ada"), notes.token(READ, subject="bob")
    session = _legacy(notes, ada, INITIALIZE).headers["mcp-session-id"]
    _legacy(notes, ada, {"jsonrpc": "2.0", "method": "notifications/initialized"}, session)
    ping = {"jsonrpc": "2.0", "id": 2, "method": "ping"}
    assert _legacy(notes, bob, ping, session).status_code == 404
    listen = {"authorization": f"Bearer {bob}", "accept": "text/event-stream"}
    hijack = httpx.get(notes.url, headers={**listen, "mcp-session-id": session}, timeout=10)
    assert hijack.status_code == 404
    assert _legacy(notes, ada, ping, session).status_code == 200


def test_a_deprecated_sse_session_answers_only_its_opener(notes: Protected) -> None:
    ada, bob = notes.token(READ, subject="ada"), notes.token(READ, subject="bob")
    headers = {"authorization": f"Bearer {ada}", "accept": "text/event-stream"}
    with httpx.stream("GET", notes.base + "/sse", headers=headers, timeout=10) as stream:
        lines = stream.iter_lines()  # held: closing it would hang up the stream
        endpoint = next(line for line in lines if line.startswith("data: "))[6:]
        ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
        as_bob = {"authorization": f"Bearer {bob}"}
        assert (
            httpx.post(notes.base + endpoint, json=ping, headers=as_bob, timeout=10).status_code
            == 404
        )
        as_ada = {"authorization": f"Bearer {ada}"}
        assert (
            httpx.post(notes.base + endpoint, json=ping, headers=as_ada, timeout=10).status_code
            == 202
        )


@contextmanager
def _open_sse(live: Protected, token: str, query: str = "") -> Iterator[str]:
    """``GET /sse`` as ``token``'s holder, held open meanwhile: its messages URL."""
    headers = {"authorization": f"Bearer {token}", "accept": "text/event-stream"}
    url = live.base + "/sse" + query
    with httpx.stream("GET", url, headers=headers, timeout=10) as stream:
        lines = stream.iter_lines()  # held: closing it would hang up the stream
        yield live.base + next(line for line in lines if line.startswith("data: "))[6:]


def _ping(messages: str, token: str) -> int:
    ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    auth = {"authorization": f"Bearer {token}"}
    return httpx.post(messages, json=ping, headers=auth, timeout=10).status_code


def test_a_deprecated_sse_session_opened_with_a_stray_session_id_is_still_its_openers(
    notes: Protected,
) -> None:
    """A ``session_id`` in the ``GET /sse`` query names no session (a new one opens); the
    new session still belongs to its opener alone (no message, no ``DELETE``)."""
    ada, bob = notes.token(READ, subject="ada"), notes.token(READ, subject="bob")
    with _open_sse(notes, ada, "?session_id=stray") as messages:
        assert "stray" not in messages
        assert _ping(messages, bob) == 404
        session = messages.rpartition("session_id=")[2]
        ending = {"authorization": f"Bearer {bob}", "mcp-session-id": session}
        assert httpx.delete(notes.url, headers=ending, timeout=10).status_code == 404
        assert _ping(messages, ada) == 202


def test_a_deprecated_sse_session_stays_its_openers_after_many_newer_sessions(
    issuer: AuthorizationServer,
) -> None:
    """However many sessions opened after it (here more than ``max_sessions``, which
    came and went), a live HTTP+SSE session still refuses another user's token."""
    config = HttpConfig(keepalive_s=0.5, max_sessions=2)
    with protected_notes(issuer, config=config) as small:
        ada, bob = small.token(READ, subject="ada"), small.token(READ, subject="bob")
        with _open_sse(small, ada) as messages:
            for _ in range(config.max_sessions):
                session = _legacy(small, ada, INITIALIZE).headers["mcp-session-id"]
                ended = httpx.delete(
                    small.url,
                    headers={"authorization": f"Bearer {ada}", "mcp-session-id": session},
                    timeout=10,
                )
                assert ended.status_code == 200
            assert _ping(messages, bob) == 404
            assert _ping(messages, ada) == 202


def test_request_state_is_bound_to_the_subject(notes: Protected) -> None:
    """A 2026-07-28 input round's sealed ``requestState`` carries the caller's subject:
    another user's token cannot resume it."""
    ada, bob = notes.token(READ, subject="ada"), notes.token(READ, subject="bob")
    caps = {"io.modelcontextprotocol/clientCapabilities": {"elicitation": {}}}
    call = modern_call("tools/call", {"name": "clear_notes", "arguments": {}})
    call["params"]["_meta"].update(caps)  # type: ignore[index]
    first = _post(notes, ada, call).json()["result"]
    assert first["resultType"] == "input_required"
    answers = {"confirm": {"action": "accept", "content": {"sure": False}}}
    call["params"].update(inputResponses=answers, requestState=first["requestState"])  # type: ignore[attr-defined]
    replayed = _post(notes, bob, call)
    assert replayed.status_code == 400
    assert "requestState" in replayed.json()["error"]["message"]
    resumed = _post(notes, ada, call).json()["result"]
    assert resumed["content"][0]["text"] == "kept"
