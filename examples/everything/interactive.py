"""Sampling and elicitation tools (legacy server→client requests; input rounds at
2026-07-28) and the verbatim JSON Schema 2020-12 fixture (contract §5.1, §5.4-5.6)."""

from __future__ import annotations

import json
from typing import Any

from mcp_foundry.authoring import Context, text_of
from mcp_foundry.authoring.content import wire

from .app import app


def _summary(answer: Any) -> str:
    body = wire(answer)
    return f"action={body.get('action')}, content={json.dumps(body.get('content'))}"


async def _completed(ctx: Context, message: str, schema: dict[str, Any]) -> str:
    return f"Elicitation completed: {_summary(await ctx.elicit(message, schema))}"


@app.tool()
async def test_sampling(prompt: str, ctx: Context) -> str:
    """Asks the client's model to answer a prompt."""
    answer = await ctx.sample(prompt, max_tokens=100)
    return f"LLM response: {text_of(answer)}"


@app.tool()
async def test_elicitation(message: str, ctx: Context) -> str:
    """Asks the user for a username and an email address."""
    schema = {
        "type": "object",
        "properties": {"username": {"type": "string"}, "email": {"type": "string"}},
        "required": ["username", "email"],
    }
    return f"User response: {_summary(await ctx.elicit(message, schema))}"


SEP1034_SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "description": "User name", "default": "John Doe"},
        "age": {"type": "integer", "description": "User age", "default": 30},
        "score": {"type": "number", "description": "User score", "default": 95.5},
        "status": {
            "type": "string",
            "description": "User status",
            "enum": ["active", "inactive", "pending"],
            "default": "active",
        },
        "verified": {"type": "boolean", "description": "Verification status", "default": True},
    },
}


@app.tool()
async def test_elicitation_sep1034_defaults(ctx: Context) -> str:
    """Elicits a form whose every field carries a default (SEP-1034)."""
    return await _completed(
        ctx, "Please review and update the form fields with defaults", SEP1034_SCHEMA
    )


SEP1330_SCHEMA = {
    "type": "object",
    "properties": {
        "untitledSingle": {
            "type": "string",
            "description": "Pick one",
            "enum": ["low", "medium", "high"],
        },
        "titledSingle": {
            "type": "string",
            "description": "Pick a size",
            "oneOf": [
                {"const": "small", "title": "Small"},
                {"const": "medium", "title": "Medium"},
                {"const": "large", "title": "Large"},
            ],
        },
        "legacyEnum": {
            "type": "string",
            "description": "Pick a permission",
            "enum": ["read", "write", "execute"],
            "enumNames": ["Read", "Write", "Execute"],
        },
        "untitledMulti": {
            "type": "array",
            "description": "Pick levels",
            "items": {"type": "string", "enum": ["low", "medium", "high"]},
        },
        "titledMulti": {
            "type": "array",
            "description": "Pick kinds",
            "items": {
                "anyOf": [
                    {"const": "feature", "title": "Feature"},
                    {"const": "bug", "title": "Bug"},
                    {"const": "docs", "title": "Docs"},
                ]
            },
        },
    },
}


@app.tool()
async def test_elicitation_sep1330_enums(ctx: Context) -> str:
    """Elicits a form with every enum variant (SEP-1330)."""
    return await _completed(ctx, "Please choose from the enum variants", SEP1330_SCHEMA)


JSON_SCHEMA_2020_12 = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "$defs": {
        "address": {
            "$anchor": "addressDef",
            "type": "object",
            "properties": {"street": {"type": "string"}, "city": {"type": "string"}},
        }
    },
    "properties": {
        "name": {"type": "string"},
        "address": {"$ref": "#/$defs/address"},
        "contactMethod": {"type": "string", "enum": ["phone", "email"]},
        "phone": {"type": "string"},
        "email": {"type": "string"},
    },
    "allOf": [{"anyOf": [{"required": ["phone"]}, {"required": ["email"]}]}],
    "if": {"properties": {"contactMethod": {"const": "phone"}}, "required": ["contactMethod"]},
    "then": {"required": ["phone"]},
    "else": {"required": ["email"]},
    "additionalProperties": False,
}


@app.tool(input_schema=JSON_SCHEMA_2020_12)
def json_schema_2020_12_tool(**arguments: Any) -> str:
    """Accepts a contact described by a JSON Schema 2020-12 document, sent verbatim."""
    return f"Received contact: {json.dumps(arguments, sort_keys=True)}"
