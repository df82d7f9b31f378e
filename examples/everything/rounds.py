"""Multi round-trip fixtures (2026-07-28 ``InputRequiredResult``, contract §4 and §5.1).

Each reads as straight-line code: the runtime answers an unanswered ``ask`` with an
``InputRequiredResult`` and runs the function again once the client retries.
"""

from __future__ import annotations

from typing import Any

from mcp_foundry.authoring import Context, InputRequest, elicitation, roots, sampling, text_of
from mcp_foundry.authoring.content import wire

from .app import app


def _form(**properties: str) -> dict[str, Any]:
    """A requestedSchema of required fields, each of the given JSON type."""
    return {
        "type": "object",
        "properties": {name: {"type": kind} for name, kind in properties.items()},
        "required": list(properties),
    }


def _field(answer: Any, name: str) -> Any:
    return (wire(answer).get("content") or {}).get(name)


async def _confirm(ctx: Context) -> Any:
    return await ctx.elicit("Please confirm", _form(ok="boolean"), key="confirm")


@app.tool()
async def test_input_required_result_elicitation(ctx: Context) -> str:
    """Asks for the user's name, then greets them."""
    answer = await ctx.elicit("What is your name?", _form(name="string"), key="user_name")
    return f"Hello, {_field(answer, 'name')}!"


@app.tool()
async def test_input_required_result_sampling(ctx: Context) -> str:
    """Asks the client's model a question."""
    answer = await ctx.sample("What is the capital of France?", 100, key="capital_question")
    return f"Model said: {text_of(answer)}"


@app.tool()
async def test_input_required_result_list_roots(ctx: Context) -> str:
    """Asks for the client's roots."""
    found = await ctx.list_roots(key="client_roots")
    return f"Client exposed {len(found)} root(s)."


@app.tool()
async def test_input_required_result_request_state(ctx: Context) -> str:
    """Carries server state through the client between rounds."""
    ctx.state.setdefault("flow", "confirm")
    answer = await _confirm(ctx)
    return f"state-ok: flow={ctx.state['flow']}, ok={_field(answer, 'ok')}"


@app.tool()
async def test_input_required_result_multiple_inputs(ctx: Context) -> str:
    """Asks for a name, a model greeting and the roots in one round."""
    answers = await ctx.ask(
        {
            "user_name": elicitation("What is your name?", _form(name="string")),
            "greeting": sampling("Generate a greeting", 50),
            "client_roots": roots(),
        }
    )
    found = wire(answers["client_roots"]).get("roots", [])
    name = _field(answers["user_name"], "name")
    return f"{text_of(answers['greeting'])} {name} ({len(found)} root(s))"


@app.tool()
async def test_input_required_result_multi_round(ctx: Context) -> str:
    """Two rounds: the name first, then the favourite colour."""
    name = _field(
        await ctx.elicit("Step 1: What is your name?", _form(name="string"), key="step1"), "name"
    )
    color = _field(
        await ctx.elicit(
            "Step 2: What is your favorite color?", _form(color="string"), key="step2"
        ),
        "color",
    )
    return f"{name} likes {color}."


@app.tool()
async def test_input_required_result_tampered_state(ctx: Context) -> str:
    """Rejects a retry whose requestState was altered."""
    return f"Confirmed: {_field(await _confirm(ctx), 'ok')}"


@app.tool()
async def test_input_required_result_capabilities(ctx: Context) -> str:
    """Asks only for the kinds of input the client declared it can give."""
    requests: dict[str, InputRequest] = {}
    if "sampling" in ctx.client_capabilities:
        requests["model_answer"] = sampling("Say hello", 20)
    if "elicitation" in ctx.client_capabilities:
        requests["user_answer"] = elicitation("Say hello", _form(text="string"))
    if not requests:
        return "The client declared neither sampling nor elicitation."
    answers = await ctx.ask(requests)
    return f"Received {len(answers)} answer(s)."


@app.prompt()
async def test_input_required_result_prompt(ctx: Context) -> list[dict[str, Any]]:
    """A prompt that first asks which context to use."""
    answer = await ctx.elicit(
        "What context should the prompt use?", _form(context="string"), key="user_context"
    )
    return [{"role": "user", "content": f"Use the following context: {_field(answer, 'context')}"}]
