"""Python names for wire names: attributes, hoisted inline classes, handler methods."""

from __future__ import annotations

import keyword
import re

# Attribute names a pydantic model cannot use for a field (they shadow BaseModel API).
_RESERVED = frozenset(
    {"copy", "dict", "json", "schema", "construct", "validate", "fields", "model_config"}
)
# Reserved `_meta` key prefix: dropped from attribute names, it only says "MCP-owned".
_MCP_PREFIX = "io.modelcontextprotocol/"

# Inline shapes that are one concept under several paths get one name (checked equal).
INLINE_NAMES = {
    "TitledSingleSelectEnumSchema.oneOf[]": "TitledEnumOption",
    "TitledMultiSelectEnumSchemaItems.anyOf[]": "TitledEnumOption",
}


def words(wire_name: str) -> str:
    """``isError`` → ``is_error``, ``_meta`` → ``meta``, ``createMessage`` → ``create_message``."""
    name = wire_name.removeprefix(_MCP_PREFIX).lstrip("_$")
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"[^0-9a-zA-Z]+", "_", name).strip("_").lower()


def snake(wire_name: str) -> str:
    """A model field name: ``isError`` → ``is_error``, ``_meta`` → ``meta``,
    ``io.modelcontextprotocol/clientInfo`` → ``client_info``, ``$schema`` → ``schema_``
    (trailing ``_`` where pydantic or Python reserves the name)."""
    name = words(wire_name)
    if not name or name[0].isdigit():
        name = f"field_{name}"
    if keyword.iskeyword(name) or name in _RESERVED or wire_name.startswith("$"):
        name = f"{name}_"
    return name


def pascal(wire_name: str) -> str:
    """``params`` → ``Params``, ``_meta`` → ``Meta``, ``requestedSchema`` → ``RequestedSchema``."""
    parts = re.split(r"[^0-9a-zA-Z]+", wire_name.removeprefix(_MCP_PREFIX))
    return "".join(p[:1].upper() + p[1:] for p in parts if p)


def inline_name(parent: str, wire_name: str, *, item: bool = False) -> str:
    """The class name of an inline object found at ``parent.wire_name``."""
    path = f"{parent}.{wire_name}" + ("[]" if item else "")
    return INLINE_NAMES.get(path) or parent + pascal(wire_name) + ("Item" if item else "")


def handler_name(method: str) -> str:
    """``tools/call`` → ``tools_call``; ``sampling/createMessage`` → ``sampling_create_message``;
    ``tools/validate`` → ``tools_validate`` (a method, not a model field: pydantic's reserved
    names do not apply, only Python keywords)."""
    name = "_".join(words(part) for part in re.split(r"[/-]", method) if words(part))
    if not name or name[0].isdigit():
        name = f"method_{name}"
    return f"{name}_" if keyword.iskeyword(name) else name
