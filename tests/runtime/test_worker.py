"""Requests start in a worker task, not one task each (``runtime.engine``): what a task per
request gave must hold, seen from a real stdio server (``rt_worker_server.py``) through a
pipe: a context per request, one task per request across its awaits, cancellation that
reaches only its own request, and an answer for every accepted request."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from rt_support import HERE, Pipe, modern_meta

pytestmark = pytest.mark.timeout(60)

SERVER = [sys.executable, str(HERE / "rt_worker_server.py")]


def _call(request_id: int, era: str, tool: str, **arguments: Any) -> dict[str, Any]:
    params: dict[str, Any] = {"name": tool, "arguments": arguments}
    if era == "modern":
        params["_meta"] = modern_meta()
    return {"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": params}


def _open(era: str, *args: str) -> Pipe:
    pipe = Pipe(*args, command=SERVER)
    if era == "legacy":
        pipe.initialize()
    return pipe


def _answers(pipe: Pipe, count: int) -> dict[int, Any]:
    found: dict[int, Any] = {}
    while len(found) < count:
        message = pipe.receive()
        if "id" in message:
            found[message["id"]] = message
    return found


def _text(answer: dict[str, Any]) -> str:
    text: str = answer["result"]["content"][0]["text"]
    return text


@pytest.mark.parametrize("era", ["legacy", "modern"])
def test_each_request_has_its_own_context_across_its_awaits(era: str) -> None:
    """A burst of requests that finish at once, with some that wait between them: none
    sees another's context variable, and a waiting one keeps its own after the wait."""
    pipe = _open(era)
    try:
        calls = [
            _call(i, era, "remember", value=f"v{i}", seconds=0.05 if i % 5 == 0 else 0)
            for i in range(1, 61)
        ]
        pipe.send(*calls)
        answers = _answers(pipe, 60)
        assert {i: _text(a) for i, a in answers.items()} == {
            i: f"unset->v{i}" for i in range(1, 61)
        }
    finally:
        pipe.finish()


@pytest.mark.parametrize("era", ["legacy", "modern"])
def test_a_waiting_request_keeps_one_task_from_start_to_end(era: str) -> None:
    """A cancel scope or an asyncio timeout entered before the first await is left after it
    in the same task, even when the request started in a worker among others."""
    pipe = _open(era)
    try:
        calls = []
        for i in range(1, 31):
            calls.append(_call(i, era, "scoped") if i % 3 else _call(i, era, "remember", value="x"))
        pipe.send(*calls)
        answers = _answers(pipe, 30)
        assert all("result" in a for a in answers.values()), answers
        scoped = [_text(a) for i, a in answers.items() if i % 3]
        assert scoped == ["same task"] * len(scoped)
    finally:
        pipe.finish()


@pytest.mark.parametrize("era", ["legacy", "modern"])
def test_a_request_that_cancels_its_own_task_cancels_nothing_else(era: str) -> None:
    """A tool cancels its own task and returns without awaiting: the requests that start
    after it in the same burst, waiting ones too, run and answer as usual."""
    pipe = _open(era)
    try:
        calls = [
            _call(1, era, "cancel_own_task"),
            _call(2, era, "nap", seconds=0.05),
            _call(3, era, "remember", value="after"),
            _call(4, era, "cancel_own_task"),
            _call(5, era, "scoped"),
        ]
        pipe.send(*calls)
        answers = _answers(pipe, 5)
        assert _text(answers[2]) == "rested"
        assert _text(answers[3]) == "unset->after"
        assert _text(answers[5]) == "same task"
        for own in (1, 4):  # its own answer went out before its task ended
            assert _text(answers[own]) == "returned"
    finally:
        pipe.finish()


@pytest.mark.parametrize("era", ["legacy", "modern"])
def test_cancelling_a_waiting_request_leaves_the_burst_around_it_alone(era: str) -> None:
    pipe = _open(era)
    try:
        pipe.send(
            _call(1, era, "remember", value="a"),
            _call(2, era, "nap", seconds=30),
            _call(3, era, "nap", seconds=0.05),
            _call(4, era, "remember", value="b"),
        )
        assert _text(pipe.answer(4)) == "unset->b"
        pipe.send(
            {
                "jsonrpc": "2.0",
                "method": "notifications/cancelled",
                "params": {"requestId": 2, "reason": "test"},
            }
        )
        assert _text(pipe.answer(3)) == "rested"
        pipe.close_input()
        rest = pipe.rest()
        assert [m for m in rest if m.get("id") == 2] == []  # a cancelled request is not answered
        assert pipe.process.wait(timeout=15) == 0
        assert any(m.get("id") == 1 for m in pipe.seen)
    finally:
        pipe.finish()


@pytest.mark.parametrize("era", ["legacy", "modern"])
def test_closing_input_after_a_mixed_burst_answers_every_request(era: str) -> None:
    pipe = _open(era)
    try:
        calls = []
        for i in range(1, 201):
            if i % 7 == 0:
                calls.append(_call(i, era, "nap", seconds=0.02))
            elif i % 11 == 0:
                calls.append(_call(i, era, "crash"))
            else:
                calls.append(_call(i, era, "remember", value=str(i)))
        pipe.send(*calls)
        pipe.close_input()
        answered = {m["id"]: m for m in pipe.rest() if "id" in m}
        assert sorted(answered) == list(range(1, 201))
        assert _text(answered[7]) == "rested"
        crashed = answered[11]["result"]
        assert crashed["isError"] is True and "secret" not in crashed["content"][0]["text"]
        assert pipe.process.wait(timeout=15) == 0
    finally:
        pipe.finish()


def test_a_timed_out_request_in_a_burst_is_answered_with_an_error() -> None:
    pipe = _open("modern", "--timeout", "0.3")
    try:
        pipe.send(
            _call(1, "modern", "nap", seconds=30),
            _call(2, "modern", "remember", value="x"),
            _call(3, "modern", "nap", seconds=0.05),
        )
        answers = _answers(pipe, 3)
        assert answers[1]["error"]["code"] == -32603
        assert "timed out" in answers[1]["error"]["message"]
        assert _text(answers[2]) == "unset->x"
        assert _text(answers[3]) == "rested"
    finally:
        pipe.finish()
