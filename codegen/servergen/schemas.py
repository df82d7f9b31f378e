"""One JSON Schema document for a whole surface, the input datamodel-code-generator reads.

Every tool's ``inputSchema``/``outputSchema`` and every prompt's arguments becomes one
top-level definition named after its item (``GetForecastInput``). Each schema's own
``$defs``/``definitions`` are hoisted beside it under that name as prefix
(``GetForecastInputAddress``) and its local references rewritten to match, so two tools
may both define ``Address`` and a ``{"$ref": "#"}`` (a recursive root) still resolves.
Anonymous object alternatives of a union are hoisted the same way, under names read
from their content, so no class is ever numbered.
"""

from __future__ import annotations

from typing import Any

from mcp_foundry.ir.naming import pascal
from mcp_foundry.servergen.naming import Names
from mcp_foundry.servergen.surface import Surface

Schema = dict[str, Any]
DEFINITION_KEYS = ("$defs", "definitions")
DROPPED = ("$schema", "$id", "$anchor", "$dynamicAnchor", *DEFINITION_KEYS)
UNIONS = ("anyOf", "oneOf")
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
        self.variants: dict[str, Schema] = {}
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

    def rewrite(self, node: Any, name: str) -> Any:
        """``node`` with references rewritten; ``name`` is the class an inline object
        here would get (datamodel-code-generator's parent-scoped naming)."""
        if isinstance(node, list):
            return [self.rewrite(item, name) for item in node]
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
                out[key] = {k: self.rewrite(v, name + pascal(k)) for k, v in value.items()}
            elif key in UNIONS and isinstance(value, list):
                out[key] = [self.variant(member, name) for member in value]
            elif key == "items":
                out[key] = self.rewrite(value, f"{name}Item")
            else:
                out[key] = self.rewrite(value, name)
        return out

    def variant(self, member: Any, name: str) -> Any:
        """An anonymous object alternative of a union, hoisted under a name read from its
        title or its first property (``UInputVWithA``), where the generator would number
        it; alternatives told apart by a ``const`` property it names itself."""
        properties = member.get("properties") if isinstance(member, dict) else None
        if not isinstance(properties, dict) or "$ref" in member:
            return self.rewrite(member, name)
        if any(isinstance(p, dict) and "const" in p for p in properties.values()):
            return self.rewrite(member, name)
        title = member.get("title")
        label = pascal(title) if isinstance(title, str) else ""
        label = label or ("With" + pascal(next(iter(properties))) if properties else "")
        if not label:
            return self.rewrite(member, name)
        target = name + label
        if target not in self.variants:
            self.variants[target] = {}  # claimed first: the member may refer to itself
            self.variants[target] = self.rewrite(member, target)
        return {"$ref": f"#/$defs/{target}"}

    def hoisted(self, schema: Schema) -> dict[str, Schema]:
        result = {self.owner: self.rewrite(schema, self.owner)}
        for name, sub in self.defs.items():
            result[name] = self.rewrite(sub, name)
        return {**result, **self.variants}


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
