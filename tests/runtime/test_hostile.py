"""Hostile and malformed input never crashes or hangs the server, and loses nothing."""

from __future__ import annotations

import random
from typing import Any

import orjson
import pytest
from mcp_foundry import generated
from mcp_foundry.sources import registry
from rt_support import Pipe, modern_meta

pytestmark = pytest.mark.timeout(120)

NASTY_LINES = [
    b"\xff\xfe\x00garbage",
    b"\x00",
    b"{" * 5000,
    b"[" * 5000 + b"]" * 5000,
    b'{"jsonrpc": "2.0", "id": 1e999, "method": "ping"}',
    b'{"jsonrpc": "2.0", "id": 99999999999999999999999999, "method": "ping"}',
    b'{"jsonrpc": "2.0", "id": "x", "method": "tools/call", "params": {"name": "'
    + b"a" * 1_000_000
    + b'"}}',
    b'{"jsonrpc": "2.0", "id": "y", "method": "\\u0000"}',
    b'{"jsonrpc": "2.0", "id": "z", "method": "tools/call", "params": {"_meta": []}}',
    b'{"jsonrpc": "2.0", "id": "w", "method": "tools/call", "params": {"_meta": '
    b'{"io.modelcontextprotocol/protocolVersion": 5, '
    b'"io.modelcontextprotocol/clientCapabilities": []}}}',
    b'{"jsonrpc": "2.0", "id": 1, "result": {}}',
    b'{"jsonrpc": "2.0", "id": 2, "error": "not an object"}',
    b'{"jsonrpc": "2.0", "method": "notifications/initialized", "params": 7}',
    b"   ",
    b"null",
]


def test_nasty_lines_then_service_continues(pipe: Pipe) -> None:
    for line in NASTY_LINES:
        pipe.write(line + b"\n")
    assert pipe.call("alive", "ping")["result"] == {}
    answered = {m.get("id") for m in pipe.seen}
    assert {"x", "y", "z", "w"} <= answered
    pipe.initialize()
    assert (
        pipe.call("still", "tools/call", {"name": "echo", "arguments": {"text": "ok"}})["result"][
            "content"
        ][0]["text"]
        == "ok"
    )
    pipe.close_input()
    pipe.rest()
    assert pipe.finish() == 0


def test_oversized_line_is_refused_not_buffered(pipe: Pipe) -> None:
    pipe.write(
        b'{"jsonrpc": "2.0", "id": "big", "method": "ping", "params": {"x": "'
        + b"a" * (33 * 1024 * 1024)
        + b'"}}\n'
    )
    refusal = pipe.receive(timeout=30)
    assert refusal["error"]["code"] == -32600 and "too large" in refusal["error"]["message"]
    assert pipe.call("after", "ping")["result"] == {}


def random_json(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(8 if depth < 3 else 5)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.randint(-(2**40), 2**40)
    if kind == 3:
        return rng.choice(["", "echo", "2026-07-28", "x" * 50, "\u2603", "file:///etc/passwd"])
    if kind == 4:
        return rng.random() * 1e6
    if kind == 5:
        return [random_json(rng, depth + 1) for _ in range(rng.randrange(4))]
    keys = [
        "name",
        "arguments",
        "uri",
        "level",
        "cursor",
        "_meta",
        "requestId",
        "protocolVersion",
        "capabilities",
        "ref",
        "argument",
    ]
    return {rng.choice(keys): random_json(rng, depth + 1) for _ in range(rng.randrange(5))}


def test_random_messages_for_every_method_of_every_revision(pipe: Pipe) -> None:
    rng = random.Random(20261121)
    methods = sorted(
        {m for rev in generated.available() for m in generated.load(rev).methods} | {"nope", ""}
    )
    pipe.initialize(rng.choice(registry.of_era("legacy")))
    sent = []
    lines = []
    for index in range(600):
        params = random_json(rng)
        if rng.random() < 0.3 and isinstance(params, dict):
            params["_meta"] = modern_meta()
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": index, "method": rng.choice(methods)}
        if params is not None and rng.random() < 0.9:
            message["params"] = params
        if (
            message["method"] in ("tools/call",)
            and isinstance(params, dict)
            and params.get("name") in ("slow",)
        ):
            continue
        sent.append(index)
        lines.append(orjson.dumps(message) + b"\n")
    pipe.write(b"".join(lines))
    pipe.close_input()
    answers = [
        m for m in pipe.rest(timeout=60) if isinstance(m, dict) and "id" in m and m["id"] != "init"
    ]
    ids = sorted(m["id"] for m in answers if isinstance(m["id"], int))
    valid = [i for i in sent if isinstance(i, int)]
    # every request got exactly one answer: a result, or an error object with an integer code
    assert ids == valid
    for answer in answers:
        if "error" in answer:
            assert (
                isinstance(answer["error"]["code"], int)
                and "Traceback" not in answer["error"]["message"]
            )
    assert pipe.finish() == 0
