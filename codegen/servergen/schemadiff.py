"""Classified differences between two JSON Schemas at one site of a server's surface:
a tool's arguments (sent by callers), its output (sent by the server), a prompt's
arguments.

Every rule says which way the values flow wrong, in :mod:`mcp_foundry.diff.classify`
terms: *narrowed* (fewer values allowed) breaks an old sender talking to a new receiver,
*widened* breaks an old receiver hearing a new sender, a change of unknown direction
breaks both. Who sends (callers for arguments, the server for output) turns that into
the report's pairings; a change is breaking when it breaks existing callers of the new
release (``old_client_new_server``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import attrs
from mcp_foundry.diff.classify import Impact, breaks_for, fill
from mcp_foundry.diff.flows import Sender
from mcp_foundry.diff.model import Area, Change, Kind, Severity

Schema = Any
NARROWED = "old {sender} may send values new {receiver} reject"
WIDENED = "new {sender} may send values old {receiver} reject"
CHANGED = "values one side sends the other rejects"
DIRECTION = {"narrowed": Impact.OLD_SENDER, "widened": Impact.OLD_RECEIVER, "changed": Impact.BOTH}
LOWER = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
UPPER = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
EXACT = ("pattern", "format", "multipleOf")
UNIONS = ("anyOf", "oneOf")
DESCRIPTIVE = frozenset({"title", "description", "examples", "default", "$comment", "deprecated"})


def canonical(schema: Schema) -> str:
    """Key-sorted JSON without descriptive keywords: equal means the same values pass."""

    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k not in DESCRIPTIVE}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    return json.dumps(strip(schema), sort_keys=True)


def render(schema: Schema) -> str:
    """A short TypeScript-like spelling for reports."""
    if not isinstance(schema, dict):
        return "any" if schema is True else "never"
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "const" in schema:
        return json.dumps(schema["const"])
    if "enum" in schema:
        return " | ".join(json.dumps(v) for v in schema["enum"])
    for key in UNIONS:
        if key in schema:
            return " | ".join(render(m) for m in schema[key])
    types = sorted(_types(schema)) or ["any"]
    if types == ["array"]:
        return f"{render(schema.get('items', True))}[]"
    return " | ".join(types)


def _types(schema: dict[str, Any]) -> set[str]:
    declared = schema.get("type")
    found = set(declared if isinstance(declared, list) else [declared] if declared else [])
    if schema.get("nullable") is True:
        found.add("null")
    if not found and "properties" in schema:
        found.add("object")
    return found


def _listed(schema: dict[str, Any]) -> list[Any] | None:
    """The closed list of values a schema allows (``const`` is a list of one), if any."""
    if "const" in schema:
        return [schema["const"]]
    enum = schema.get("enum")
    return list(enum) if isinstance(enum, list) else None


def _values_text(values: list[Any]) -> str:
    """Values for a reason, braces escaped: reasons are format strings (``{sender}``)."""
    return ", ".join(json.dumps(v) for v in values).replace("{", "{{").replace("}", "}}")


def _covers(types: set[str], kind: str) -> bool:
    return kind in types or (kind == "integer" and "number" in types)


@attrs.frozen
class Site:
    """Where the compared schemas sit, and how subjects are spelt there."""

    area: Area
    sender: Sender
    prefix: str
    """``get_forecast(`` for arguments, ``get_forecast() -> `` for output."""
    suffix: str = ""

    def subject(self, path: str) -> str:
        return f"{self.prefix}{path}{self.suffix}".strip()


def classify(
    site: Site,
    kind: Kind,
    path: str,
    before: str | None,
    after: str | None,
    impact: Impact,
    reason: str,
    severity: Severity = Severity.COMPATIBLE,
) -> Change:
    """One change at ``site``: its pairings from who sends there, breaking when existing
    callers of the new release break, else ``severity``."""
    breaks = breaks_for(impact, frozenset({site.sender}))
    if breaks.old_client_new_server:
        severity = Severity.BREAKING
    reason = fill(reason, frozenset({site.sender}))
    return Change(kind, site.area, site.subject(path), before, after, severity, breaks, reason)


class SchemaDiff:
    """Compares the schemas of one site, resolving each side's local ``$ref``s."""

    def __init__(self, site: Site, root_a: Schema, root_b: Schema) -> None:
        self.site = site
        self.roots = (root_a, root_b)
        self.seen: set[tuple[str, str, str]] = set()

    def change(self, kind: Kind, path: str, *rest: Any, **options: Any) -> Change:
        return classify(self.site, kind, path, *rest, **options)

    def _resolve(self, side: int, schema: Schema) -> Schema:
        for _ in range(32):  # a chain of aliases, never a cycle we follow forever
            if not (isinstance(schema, dict) and isinstance(schema.get("$ref"), str)):
                return schema
            node: Any = self.roots[side]
            for part in schema["$ref"].removeprefix("#").strip("/").split("/"):
                if not part:
                    continue
                if not isinstance(node, dict) or part not in node:
                    return schema
                node = node[part]
            schema = node
        return schema

    def compare(self, a: Schema, b: Schema, path: str) -> Iterator[Change]:
        key = (path, canonical(a), canonical(b))
        if key in self.seen:  # recursive schemas: each pairing once
            return
        self.seen.add(key)
        a, b = self._resolve(0, a), self._resolve(1, b)
        if canonical(a) == canonical(b):
            return
        if not isinstance(a, dict) or not isinstance(b, dict):
            yield self._retyped(path, a, b)
            return
        yield from self._values(path, a, b)
        yield from self._unions(path, a, b)
        yield from self._constraints(path, a, b)
        if _types(a) == {"object"} == _types(b):
            yield from self.objects(path, a, b)
        elif _types(a) == {"array"} == _types(b):
            yield from self.compare(a.get("items", True), b.get("items", True), f"{path}[]")

    def _retyped(self, path: str, a: Schema, b: Schema) -> Change:
        ta, tb = (
            _types(a) if isinstance(a, dict) else set(),
            _types(b) if isinstance(b, dict) else set(),
        )
        if ta and tb and all(_covers(tb, k) for k in ta):
            direction = "widened"
        elif ta and tb and all(_covers(ta, k) for k in tb):
            direction = "narrowed"
        else:
            direction = "changed"
        return self._typed(path, a, b, direction)

    def _typed(self, path: str, a: Schema, b: Schema, direction: str) -> Change:
        reason = {"widened": WIDENED, "narrowed": NARROWED, "changed": CHANGED}[direction]
        return self.change(
            Kind.FIELD_TYPE_CHANGED, path, render(a), render(b), DIRECTION[direction], reason
        )

    def _values(self, path: str, a: dict[str, Any], b: dict[str, Any]) -> Iterator[Change]:
        """Types, enums and consts: which values the site accepts at all."""
        if "const" in a and "const" in b:
            if a["const"] != b["const"]:
                yield self.change(
                    Kind.CONST_CHANGED, path, render(a), render(b), Impact.BOTH, CHANGED
                )
            return
        listed_a, listed_b = _listed(a), _listed(b)
        if listed_a is not None and listed_b is not None:
            removed = [v for v in listed_a if v not in listed_b]
            added = [v for v in listed_b if v not in listed_a]
            if removed:
                yield self.change(
                    Kind.ENUM_VALUES_REMOVED,
                    path,
                    render(a),
                    render(b),
                    Impact.OLD_SENDER,
                    f"{_values_text(removed)} no longer allowed: {NARROWED}",
                )
            if added:
                yield self.change(
                    Kind.ENUM_VALUES_ADDED,
                    path,
                    render(a),
                    render(b),
                    Impact.OLD_RECEIVER,
                    f"{_values_text(added)} now allowed: {WIDENED}",
                )
            return
        if (listed_a is None) != (listed_b is None) and _types(a) == _types(b):
            # the same type, with or without a closed list of values
            yield self._typed(path, a, b, "narrowed" if listed_a is None else "widened")
        elif _types(a) != _types(b) and not any(k in a or k in b for k in UNIONS):
            yield self._retyped(path, a, b)

    def _unions(self, path: str, a: dict[str, Any], b: dict[str, Any]) -> Iterator[Change]:
        members_a = {canonical(self._resolve(0, m)): m for k in UNIONS for m in a.get(k, [])}
        members_b = {canonical(self._resolve(1, m)): m for k in UNIONS for m in b.get(k, [])}
        if not members_a and not members_b:
            return
        if not members_a or not members_b:
            if _types(a) or _types(b) or "enum" in a or "enum" in b:
                yield self._retyped(path, a, b)
            return
        for key in sorted(members_a.keys() - members_b.keys()):
            yield self.change(
                Kind.UNION_MEMBER_REMOVED,
                path,
                render(members_a[key]),
                None,
                Impact.OLD_SENDER,
                f"alternative removed: {NARROWED}",
            )
        for key in sorted(members_b.keys() - members_a.keys()):
            yield self.change(
                Kind.UNION_MEMBER_ADDED,
                path,
                None,
                render(members_b[key]),
                Impact.OLD_RECEIVER,
                f"alternative added: {WIDENED}",
            )

    def _constraints(self, path: str, a: dict[str, Any], b: dict[str, Any]) -> Iterator[Change]:
        for key in (*LOWER, *UPPER, *EXACT):
            old, new = a.get(key), b.get(key)
            if old == new:
                continue
            if old is None or new is None:
                direction = "narrowed" if old is None else "widened"
            elif key in EXACT:
                direction = "changed"
            else:
                tighter = new > old if key in LOWER else new < old
                direction = "narrowed" if tighter else "widened"
            reason = {"widened": WIDENED, "narrowed": NARROWED, "changed": CHANGED}[direction]
            yield self.change(
                Kind.CONSTRAINT_CHANGED,
                path,
                None if old is None else f"{key} {json.dumps(old)}",
                None if new is None else f"{key} {json.dumps(new)}",
                DIRECTION[direction],
                f"{key}: {reason}",
            )

    def objects(self, path: str, a: dict[str, Any], b: dict[str, Any]) -> Iterator[Change]:
        """Properties added, removed, now required or optional; object opened or closed."""
        props_a, props_b = a.get("properties") or {}, b.get("properties") or {}
        req_a, req_b = set(a.get("required") or []), set(b.get("required") or [])
        dot = f"{path}." if path else ""
        closed_b = b.get("additionalProperties") is False
        for name in props_b.keys() - props_a.keys():
            if name in req_b:
                yield self.change(
                    Kind.FIELD_ADDED,
                    dot + name,
                    None,
                    render(props_b[name]),
                    Impact.OLD_SENDER,
                    "required: new {receiver} expect it, old {sender} never send it",
                )
            else:
                yield self.change(
                    Kind.FIELD_ADDED,
                    dot + name,
                    None,
                    render(props_b[name]),
                    Impact.NONE,
                    "optional: old {sender} leave it out, old {receiver} ignore it",
                )
        for name in props_a.keys() - props_b.keys():
            yield self._removed(dot + name, props_a[name], name in req_a, closed_b)
        for name in sorted(props_a.keys() & props_b.keys()):
            if name in req_b and name not in req_a:
                yield self.change(
                    Kind.FIELD_NOW_REQUIRED,
                    dot + name,
                    "optional",
                    "required",
                    Impact.OLD_SENDER,
                    "new {receiver} expect it, old {sender} may leave it out",
                )
            if name in req_a and name not in req_b:
                yield self.change(
                    Kind.FIELD_NOW_OPTIONAL,
                    dot + name,
                    "required",
                    "optional",
                    Impact.OLD_RECEIVER,
                    "old {receiver} expect it, new {sender} may leave it out",
                )
            yield from self.compare(props_a[name], props_b[name], dot + name)
        yield from self._openness(path, a, b)

    def _removed(self, path: str, schema: Schema, required: bool, closed: bool) -> Change:
        before = render(schema)
        if self.site.sender == "server":
            # callers read what the server sends: a field they may read is gone
            reason = "old {receiver} read it, new {sender} no longer send it"
            return self.change(Kind.FIELD_REMOVED, path, before, None, Impact.OLD_RECEIVER, reason)
        if closed:
            reason = "old {sender} send it, new {receiver} reject unknown keys"
            impact = Impact.BOTH if required else Impact.OLD_SENDER
            return self.change(Kind.FIELD_REMOVED, path, before, None, impact, reason)
        if required:
            reason = "was required: old {receiver} expect it, new {sender} leave it out"
            return self.change(Kind.FIELD_REMOVED, path, before, None, Impact.OLD_RECEIVER, reason)
        reason = "was optional: what old {sender} put there is ignored"
        return self.change(
            Kind.FIELD_REMOVED, path, before, None, Impact.NONE, reason, Severity.WARNING
        )

    def _openness(self, path: str, a: dict[str, Any], b: dict[str, Any]) -> Iterator[Change]:
        extra_a, extra_b = a.get("additionalProperties", True), b.get("additionalProperties", True)
        if extra_a is not False and extra_b is False:
            yield self.change(
                Kind.OBJECT_CLOSED,
                path,
                None,
                None,
                Impact.OLD_SENDER,
                "unknown keys old {sender} send are now rejected",
            )
        elif extra_a is False and extra_b is not False:
            yield self.change(
                Kind.OBJECT_OPENED,
                path,
                None,
                None,
                Impact.OLD_RECEIVER,
                "new {sender} may send keys old {receiver} reject",
            )
        elif isinstance(extra_a, dict) and isinstance(extra_b, dict):
            yield from self.compare(extra_a, extra_b, f"{path}{{}}")
