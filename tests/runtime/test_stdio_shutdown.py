"""Shutdown on stdio: after SIGTERM new requests get a JSON-RPC error, accepted ones are
answered (stragglers with an error once the grace time is over), and the server exits."""

from __future__ import annotations

import signal
import time
from typing import Any

import pytest
from rt_support import Pipe, modern_meta

pytestmark = pytest.mark.timeout(60)


def _slow(pipe: Pipe, era: str, request_id: int, seconds: float) -> None:
    """Start the fixture's slow tool and wait until its handler runs."""
    meta: dict[str, Any] = {"progressToken": request_id}
    if era == "modern":
        meta = modern_meta(progressToken=request_id)
    params = {"name": "slow", "arguments": {"seconds": seconds}, "_meta": meta}
    pipe.request(request_id, "tools/call", params)
    pipe.started(request_id)


def _start(era: str, *args: str) -> Pipe:
    pipe = Pipe(*args)
    if era == "legacy":
        pipe.initialize()
    return pipe


@pytest.mark.parametrize("era", ["legacy", "modern"])
def test_sigterm_refuses_new_requests_and_finishes_accepted_ones(era: str) -> None:
    pipe = _start(era)
    try:
        _slow(pipe, era, 1, 2)
        pipe.process.send_signal(signal.SIGTERM)
        params: dict[str, Any] = {"name": "echo", "arguments": {"text": "late"}}
        if era == "modern":
            params["_meta"] = modern_meta()
        for request_id in range(2, 200):  # until the server has taken the signal
            answer = pipe.call(request_id, "tools/call", params)
            if "error" in answer:
                break
            time.sleep(0.01)
        assert answer["error"]["code"] == -32603
        assert "not accepted" in answer["error"]["message"]
        assert pipe.answer(1)["result"]["content"][0]["text"] == "slow done"
        assert pipe.process.wait(timeout=20) == 0
    finally:
        pipe.finish()


@pytest.mark.parametrize("era", ["legacy", "modern"])
def test_sigterm_answers_stragglers_after_the_grace_time(era: str) -> None:
    pipe = _start(era, "--grace", "0.5")
    try:
        for request_id in (1, 2, 3):
            _slow(pipe, era, request_id, 60)
        pipe.process.send_signal(signal.SIGTERM)
        for request_id in (1, 2, 3):
            error = pipe.answer(request_id)["error"]
            assert error["code"] == -32603 and "shutting down" in error["message"]
        assert pipe.process.wait(timeout=20) == 0
    finally:
        pipe.finish()


def test_a_draining_handler_still_hears_the_client() -> None:
    """A handler waiting for the client's answer when SIGTERM arrives still gets it."""
    pipe = Pipe()
    try:
        pipe.initialize("2025-11-25", {"elicitation": {}})
        pipe.request(1, "tools/call", {"name": "ask_name", "arguments": {}})
        asked = pipe.receive()
        assert asked["method"] == "elicitation/create"
        pipe.process.send_signal(signal.SIGTERM)
        answer = {"action": "accept", "content": {"name": "Ann"}}
        pipe.send({"jsonrpc": "2.0", "id": asked["id"], "result": answer})
        done = pipe.answer(1)
        assert done["result"]["content"][0]["text"] == "Hello, Ann! (accept)"
        assert pipe.process.wait(timeout=20) == 0
    finally:
        pipe.finish()
