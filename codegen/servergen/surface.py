"""A server's surface as data: what ``tools/list``, ``prompts/list`` and
``resources/templates/list`` return, in a snapshot file that can stand in for the server.

A snapshot is one JSON object holding those results' item lists under their own keys
(``tools``, ``prompts``, ``resourceTemplates``), so a saved ``tools/list`` result is a
snapshot too. Items are kept as the server sent them and sorted by name, so the same
server always gives the same file and the same bindings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
from mcp_foundry.servergen.errors import SurfaceError

FORMAT = "mcp-foundry-surface/1"
KEYS = {"tools": "tools", "prompts": "prompts", "resource_templates": "resourceTemplates"}
"""Surface attribute -> the list result's key (also the snapshot's key)."""

Item = dict[str, Any]


@attrs.frozen
class Surface:
    tools: tuple[Item, ...] = ()
    prompts: tuple[Item, ...] = ()
    resource_templates: tuple[Item, ...] = ()
    server: Item | None = None
    """``serverInfo`` (name, version) when it came from a live server."""
    protocol_version: str | None = None

    def to_json(self) -> str:
        doc: dict[str, Any] = {"format": FORMAT}
        if self.server is not None:
            doc["server"] = self.server
        if self.protocol_version is not None:
            doc["protocolVersion"] = self.protocol_version
        for attribute, key in KEYS.items():
            doc[key] = list(getattr(self, attribute))
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _key(item: Item) -> str:
    return str(item.get("name") or item.get("uriTemplate") or "")


def build(
    lists: dict[str, list[Any]], server: Item | None = None, protocol_version: str | None = None
) -> Surface:
    """A surface from list results' items (attribute name -> items), checked and sorted."""
    found: dict[str, tuple[Item, ...]] = {}
    for attribute, key in KEYS.items():
        items = lists.get(attribute, [])
        if not isinstance(items, list) or not all(
            isinstance(i, dict) and isinstance(i.get("name"), str) for i in items
        ):
            raise SurfaceError(f"{key} must be a list of objects that each have a string name")
        names = [_key(i) for i in items]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise SurfaceError(f"{key}: more than one item named {', '.join(twice)}")
        found[attribute] = tuple(sorted(items, key=_key))
    return Surface(
        found["tools"],
        found["prompts"],
        found["resource_templates"],
        server=server,
        protocol_version=protocol_version,
    )


def load(path: Path) -> Surface:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SurfaceError(f"{path}: cannot read the snapshot: {exc}") from exc
    if not isinstance(doc, dict) or not any(key in doc for key in KEYS.values()):
        raise SurfaceError(
            f"{path}: not a snapshot (an object with {', '.join(KEYS.values())} lists)"
        )
    if doc.get("format", FORMAT) != FORMAT:
        raise SurfaceError(f"{path}: unknown snapshot format {doc['format']!r}")
    server = doc.get("server")
    version = doc.get("protocolVersion")
    return build(
        {attribute: doc.get(key, []) for attribute, key in KEYS.items()},
        server=server if isinstance(server, dict) else None,
        protocol_version=version if isinstance(version, str) else None,
    )
