"""One JSON Schema document for a whole surface, the input datamodel-code-generator reads.

Every tool's ``inputSchema``/``outputSchema`` and every prompt's arguments becomes one
top-level definition named after its item (``GetForecastInput``). Each schema's own
``$defs``/``definitions`` are hoisted beside it under that name as prefix
(``GetForecastInputAddress``) and its local references rewritten to match, so two tools
may both define ``Address`` and a ``{"$ref": "#"}`` (a recursive root) still resolves.
"""

from __future__ import annotations

from typing import Any

from mcp_foundry.ir.naming import pascal
from mcp_foundry.servergen.naming import Names
from mcp_foundry.servergen.surface import Surface

Schema = dict[str, Any]
DEFINITION_KEYS = ("$defs", "definitions")
DROPPED = ("$schema", "$id", "$anchor", "$dynamicAnchor", *DEFINITION_KEYS)
VALUES = ("enum", "const", "default", "examples")
"""Keywords holding instance data, copied as they are: a ``$ref`` key there is data."""


def prompt_arguments(prompt: dict[str, Any]) -> Schema:
    """Prompt arguments as the JSON Schema they imply: named strings, some required."""
    arguments = [a for a in prompt.get("arguments") or [] if isinstance(a, dict)]
    properties: Schema = {}
    for argument in arguments:
        prop: Schema = {"type": "string"}
        if argument.get("description"):
            prop["description"] = argument["description"]
        properties[str(argument["name"])] = prop
    return {
        "type": "object",
        "properties": properties,
        "required": [str(a["name"]) for a in arguments if a.get("required")],
        "additionalProperties": False,
    }


class _Hoister:
    """Rewrites one schema's local references onto the document's top-level ``$defs``."""

    def __init__(self, owner: str, schema: Schema) -> None:
        self.owner = owner
        self.targets: dict[str, str] = {"#": f"#/$defs/{owner}"}
        self.defs: dict[str, Schema] = {}
        for key in DEFINITION_KEYS:
            for name, sub in (schema.get(key) or {}).items():
                new = owner + pascal(name)
                self.targets[f"#/{key}/{name}"] = f"#/$defs/{new}"
                if isinstance(sub, dict) and isinstance(sub.get("$anchor"), str):
                    self.targets[f"#{sub['$anchor']}"] = f"#/$defs/{new}"
                self.defs[new] = sub

    def ref(self, target: str) -> str:
        for old in sorted(self.targets, key=len, reverse=True):
            if target == old or (old != "#" and target.startswith(old + "/")):
                return self.targets[old] + target[len(old) :]
        if target.startswith("#/"):
            return f"#/$defs/{self.owner}" + target[1:]
        return target

    def rewrite(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self.rewrite(item) for item in node]
        if not isinstance(node, dict):
            return node
        out: Schema = {}
        for key, value in node.items():
            if key in DROPPED:
                continue
            if key in VALUES:
                out[key] = value
            elif key == "$ref" and isinstance(value, str):
                out[key] = self.ref(value)
            elif key in ("properties", "patternProperties", "dependentSchemas"):
                # keys here are property names, never keywords: keep them all
                out[key] = {k: self.rewrite(v) for k, v in value.items()}
            else:
                out[key] = self.rewrite(value)
        return out

    def hoisted(self, schema: Schema) -> dict[str, Schema]:
        result = {self.owner: self.rewrite(schema)}
        for name, sub in self.defs.items():
            result[name] = self.rewrite(sub)
        return result


def model_schemas(surface: Surface, names: dict[tuple[str, str], Names]) -> dict[str, Schema]:
    """Model name -> its schema: what each method validates (``XInput``, ``XOutput``,
    ``XArguments``)."""
    schemas: dict[str, Schema] = {}
    for tool in surface.tools:
        stem = names[("tool", str(tool["name"]))].stem
        schemas[f"{stem}Input"] = tool.get("inputSchema") or {"type": "object"}
        if isinstance(tool.get("outputSchema"), dict):
            schemas[f"{stem}Output"] = tool["outputSchema"]
    for prompt in surface.prompts:
        stem = names[("prompt", str(prompt["name"]))].stem
        schemas[f"{stem}Arguments"] = prompt_arguments(prompt)
    return schemas


def document(schemas: dict[str, Schema]) -> Schema:
    """The single document: every model and its hoisted definitions under ``$defs``."""
    defs: dict[str, Schema] = {}
    for name, schema in schemas.items():
        defs.update(_Hoister(name, schema).hoisted(schema))
    return {"$defs": defs}
