"""Input requests (elicit, sample, list roots), independent of how they reach the client.

A function asks with ``await ctx.ask({...})``; the runtime turns that into server→client
requests on legacy wires or ``InputRequiredResult`` rounds at 2026-07-28, and a detached
task parks as ``input_required`` instead. This module holds the era-free parts: building
the requests and checking that an answer has the shape its request calls for.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from pydantic import BaseModel

from .content import Wire, wire
from .schema import input_schema

ELICIT = "elicitation/create"
SAMPLE = "sampling/createMessage"
ROOTS = "roots/list"
CAPABILITY = {ELICIT: "elicitation", SAMPLE: "sampling", ROOTS: "roots"}
RESULT_MODEL = {ELICIT: "ElicitResult", SAMPLE: "CreateMessageResult", ROOTS: "ListRootsResult"}


class InputRequest(NamedTuple):
    """One request for the client to fulfil, as it appears in ``inputRequests`` (a named
    tuple: a frozen dataclass's generated methods cost a server's start)."""

    method: str
    params: Wire

    @property
    def capability(self) -> str:
        return CAPABILITY[self.method]

    def to_wire(self) -> Wire:
        return {"method": self.method, "params": self.params}


def elicitation(message: str, schema: Wire | type[BaseModel]) -> InputRequest:
    """A form elicitation; ``schema`` is a requestedSchema dict or a pydantic model."""
    requested = input_schema(schema) if isinstance(schema, type) else schema
    return InputRequest(ELICIT, {"mode": "form", "message": message, "requestedSchema": requested})


def sampling(
    prompt: str | list[Any], max_tokens: int = 100, system_prompt: str | None = None
) -> InputRequest:
    """A sampling request; ``prompt`` is user text or a list of sampling messages."""
    if isinstance(prompt, str):
        messages = [{"role": "user", "content": {"type": "text", "text": prompt}}]
    else:
        messages = [wire(m) for m in prompt]
    params: Wire = {"messages": messages, "maxTokens": max_tokens}
    if system_prompt is not None:
        params["systemPrompt"] = system_prompt
    return InputRequest(SAMPLE, params)


def roots() -> InputRequest:
    return InputRequest(ROOTS, {})


def valid_answer(method: str, answer: Any) -> bool:
    """True when ``answer`` has the shape of the result ``method`` calls for."""
    if not isinstance(answer, dict):
        return False
    if method == ELICIT:
        return answer.get("action") in ("accept", "decline", "cancel") and isinstance(
            answer.get("content", {}), dict
        )
    if method == SAMPLE:
        return "role" in answer and isinstance(answer.get("content"), (dict, list))
    if method == ROOTS:
        return isinstance(answer.get("roots"), list)
    return False


def missing_capabilities(requests: dict[str, InputRequest], declared: Any) -> dict[str, Any]:
    """The capabilities ``requests`` need that the client did not declare."""
    declared = declared if isinstance(declared, dict) else {}
    return {r.capability: {} for r in requests.values() if r.capability not in declared}


def text_of(answer: Any) -> str:
    """The text of a sampling answer (``CreateMessageResult``), for quick use in tools."""
    answer = wire(answer)
    content = answer.get("content") if isinstance(answer, dict) else None
    blocks = content if isinstance(content, list) else [content]
    return "".join(b.get("text", "") for b in blocks if isinstance(b, dict))
