"""Stable Python names for a surface: one method and model-name stem per tool, prompt and
resource template, derived from the item's own name (never a counter), unique in the
client class and the models module."""

from __future__ import annotations

import attrs
from mcp_foundry.ir.naming import pascal, snake
from mcp_foundry.servergen.surface import Surface

RESERVED_METHODS = frozenset({"client", "stdio", "http", "connect"})
"""Attributes of :class:`mcp_foundry.servergen.base.ServerClient` a method must not shadow."""


@attrs.frozen
class Names:
    method: str
    stem: str
    """Model names start with this: ``GetForecast`` → ``GetForecastInput``."""


def class_stem(name: str) -> str:
    stem = pascal(name) or "Unnamed"
    return stem if stem[0].isalpha() else f"N{stem}"


def _unique(wanted: str, taken: set[str]) -> str:
    name = wanted
    while name in taken:
        name += "_"
    taken.add(name)
    return name


def assign(surface: Surface) -> dict[tuple[str, str], Names]:
    """(kind, item name) -> names, for kinds ``tool``, ``prompt``, ``resource_template``.

    Clashes (``get-x`` and ``get_x``) are settled in name order by a trailing ``_``, so
    adding an item never renames another's methods or models unless they clash.
    """
    methods: set[str] = set(RESERVED_METHODS)
    names: dict[tuple[str, str], Names] = {}
    plan = [
        ("tool", surface.tools, "{}"),
        ("prompt", surface.prompts, "{}_prompt"),
        ("resource_template", surface.resource_templates, "read_{}"),
    ]
    for kind, items, pattern in plan:
        stems: set[str] = set()  # model names differ by kind: XInput, XArguments
        for item in items:
            name = str(item["name"])
            base = snake(name)
            # ``summary_prompt`` stays itself rather than ``summary_prompt_prompt``
            wanted = base if kind == "prompt" and base.endswith("prompt") else pattern.format(base)
            method = _unique(wanted, methods)
            stem = class_stem(name)
            while stem in stems:
                stem += "_"
            stems.add(stem)
            names[(kind, name)] = Names(method, stem)
    return names
