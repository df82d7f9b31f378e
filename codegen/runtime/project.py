"""Dual-era conversion: re-express a validated model of one revision in another's terms.

Models of every revision are named after the same schema definitions, so the walk pairs
classes by name (``TextContent`` ↔ ``TextContent``) and fields by attribute name. A field
the target revision's class does not declare is dropped (unless it is a ``$`` keyword of
a JSON Schema, such as ``$schema``, which an open target keeps) — that is how
``structuredContent``, ``title``, ``icons`` and friends never reach an older client — and
a value whose class the target lacks entirely (``ResourceLink`` or ``AudioContent`` for a
2024-11-05 client) is replaced by a text note and logged, because silently dropping it
would change what the peer sees without anyone knowing.

Output is wire JSON (dicts with aliases); the caller validates it against the target
model, so a projection can never produce something the target revision rejects unseen.
"""

from __future__ import annotations

import enum
import logging
import types
import typing
from collections.abc import Callable
from typing import Any, Union

import orjson
from mcp_foundry.runtime import wire
from pydantic import BaseModel, RootModel

log = logging.getLogger("mcp_foundry.runtime")

_UNION_TYPES = (Union, types.UnionType)


_FIELDS: dict[type, dict[str, Any]] = {}


def fields(cls: type[BaseModel]) -> dict[str, Any]:
    """``model_fields`` with resolved annotations (generated models defer their build);
    memoized, because pydantic computes the mapping on every access."""
    found = _FIELDS.get(cls)
    if found is None:
        if not cls.__pydantic_complete__:
            cls.model_rebuild()
        found = _FIELDS[cls] = dict(cls.model_fields)
    return found


_CLASSES: dict[Any, list[type[BaseModel]]] = {}
_ITEMS: dict[tuple[int, tuple[type, ...]], tuple[Any, tuple[bool, Any]]] = {}
_PLANS: dict[tuple[type, type], tuple[dict[str, tuple[str, Any]], bool]] = {}
_SCALARS = (str, int, float, bool)
_SEQUENCES = (list, tuple, typing.Sequence)
_MAPPINGS = (dict, typing.Mapping)


def model_classes(annotation: Any) -> list[type[BaseModel]]:
    """Every model class an annotation admits (through Optional, unions, Annotated and
    RootModel wrappers); memoized, the walk runs once per annotation."""
    try:
        return _CLASSES[annotation]
    except (KeyError, TypeError):
        pass
    found = _model_classes(annotation)
    try:
        _CLASSES[annotation] = found
    except TypeError:
        pass
    return found


def _model_classes(annotation: Any) -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return model_classes(typing.get_args(annotation)[0])
    if origin in _UNION_TYPES:
        for arg in typing.get_args(annotation):
            found.extend(model_classes(arg))
        return found
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if issubclass(annotation, RootModel):
            inner = model_classes(fields(annotation)["root"].annotation)
            return inner or [annotation]
        return [annotation]
    return found


def _container_item(annotation: Any, kinds: tuple[type, ...]) -> tuple[bool, Any]:
    """``(True, X)`` when the annotation admits ``list[X]`` (or ``dict[str, X]``)."""
    key = (id(annotation), kinds)
    cached = _ITEMS.get(key)
    if cached is not None and cached[0] is annotation:
        return cached[1]
    found = _find_container_item(annotation, kinds)
    _ITEMS[key] = (annotation, found)
    return found


def _find_container_item(annotation: Any, kinds: tuple[type, ...]) -> tuple[bool, Any]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _container_item(typing.get_args(annotation)[0], kinds)
    if origin in _UNION_TYPES:
        for arg in typing.get_args(annotation):
            ok, item = _container_item(arg, kinds)
            if ok:
                return ok, item
        return False, None
    if isinstance(annotation, type) and issubclass(annotation, RootModel):
        return _container_item(fields(annotation)["root"].annotation, kinds)
    if origin in kinds:
        args = typing.get_args(annotation)
        return True, (args[-1] if args else Any)
    return False, None


def _dump(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [_dump(v) for v in value]
    if isinstance(value, dict):
        return {k: _dump(v) for k, v in value.items()}
    return value


class Projection:
    """One conversion into ``revision``; collects what was lost for a single log line."""

    def __init__(self, revision: str) -> None:
        self.revision = revision
        self.lost: list[str] = []

    def value(self, value: Any, target: Any) -> Any:
        if value is None or type(value) in _SCALARS:
            return value
        if isinstance(value, RootModel):
            return self.value(value.root, target)
        if isinstance(value, BaseModel):
            return self.model(value, target)
        if isinstance(value, (list, tuple)):
            ok, item = _container_item(target, _SEQUENCES)
            item = item if ok else Any
            out = []
            for element in value:
                projected = self.value(element, item)
                if projected is not _DROP:
                    out.append(projected)
            return out
        if isinstance(value, dict):
            ok, item = _container_item(target, _MAPPINGS)
            if ok:
                return {k: self.value(v, item) for k, v in value.items()}
            classes = model_classes(target)
            if len(classes) == 1:
                return self.mapping(value, classes[0])
            return _dump(value)
        return _dump(value)

    def model(self, value: BaseModel, target: Any) -> Any:
        source = type(value)
        match = _match(source, target)
        if match is None:
            classes = model_classes(target)
            return self.downgrade(value, classes) if classes else _dump(value)
        plan, open_target = _plan(source, match)
        out: dict[str, Any] = {}
        extra = value.__pydantic_extra__ or {}
        # pydantic counts extra keys as set fields: they are handled below (kept when the
        # target declares or admits them), not as declared fields the target lacks
        for name in value.model_fields_set - extra.keys():
            step = plan.get(name)
            if step is None:
                alias = fields(source)[name].alias or name
                if open_target and alias.startswith("$"):
                    out[alias] = _dump(getattr(value, name))  # a JSON Schema keyword
                elif name not in _ENVELOPE:
                    self.lost.append(f"{source.__name__}.{name}")
                continue
            out[step[0]] = self.value(getattr(value, name), step[1])
        known = {f.alias or n for n, f in fields(source).items()} if extra else set()
        for key, item in extra.items():
            step = plan.get(key)
            if step is not None:
                out[step[0]] = self.value(item, step[1])
            elif not open_target:
                self.lost.append(f"{source.__name__}.{key}")
            elif key not in known:
                out[key] = _dump(item)
        _keep_structured_meaning(value, out, match)
        return out

    def mapping(self, value: dict[str, Any], match: type[BaseModel]) -> dict[str, Any]:
        """A plain dict headed for a model: keep the keys the target declares (and extras
        when the target is open)."""
        declared = fields(match)
        by_alias = {(f.alias or n): f for n, f in declared.items()}
        open_model = match.model_config.get("extra") == "allow"
        out: dict[str, Any] = {}
        for key, item in value.items():
            field = by_alias.get(key) or declared.get(key)
            if field is not None:
                out[field.alias or key] = self.value(item, field.annotation)
            elif open_model:
                out[key] = _dump(item)
            else:
                self.lost.append(f"{match.__name__}.{key}")
        return out

    def downgrade(self, value: BaseModel, classes: list[type[BaseModel]]) -> Any:
        """A value whose class the target revision lacks: a text note if the target
        admits text content, else dropped from its list."""
        kind = type(value).__name__
        self.lost.append(kind)
        text_class = next((c for c in classes if c.__name__ == "TextContent"), None)
        if text_class is None:
            return _DROP
        wire = _dump(value)
        label = wire.get("uri") or wire.get("name") or wire.get("mimeType") or ""
        what = f"{wire.get('type', kind)} content {label}"
        note = f"[{what} is not representable in MCP {self.revision}]"
        return {"type": "text", "text": note.replace("  ", " ")}

    def report(self, what: str) -> None:
        if self.lost:
            log.warning(
                "%s downgraded to MCP %s: dropped %s",
                what,
                self.revision,
                ", ".join(sorted(set(self.lost))),
            )


_ENVELOPE = frozenset({"result_type", "ttl_ms", "cache_scope"})
"""Modern result envelope fields: meaningless to a legacy client, dropped without a word."""


class _Drop:
    """Marker for list items that have no representation in the target revision."""


_DROP: Any = _Drop()


_MATCHES: dict[tuple[type, int], tuple[Any, type[BaseModel] | None]] = {}


def _match(source: type[BaseModel], target: Any) -> type[BaseModel] | None:
    """The class of ``target`` that ``source`` maps onto: same schema name, or the only
    candidate when ``source`` is not a tagged variant; memoized by identity (annotations
    live as long as their models, and hashing typing objects is slow)."""
    key = (source, id(target))
    cached = _MATCHES.get(key)
    if cached is not None and cached[0] is target:
        return cached[1]
    classes = model_classes(target)
    found = next((c for c in classes if c.__name__ == source.__name__), None)
    if found is None and len(classes) == 1 and not _is_variant(source):
        found = classes[0]
    _MATCHES[key] = (target, found)
    return found


def _plan(
    source: type[BaseModel], target: type[BaseModel]
) -> tuple[dict[str, tuple[str, Any]], bool]:
    """For each field name ``target`` declares: its wire name and annotation there."""
    key = (source, target)
    found = _PLANS.get(key)
    if found is None:
        steps = {
            name: (field.alias or name, field.annotation) for name, field in fields(target).items()
        }
        found = (steps, target.model_config.get("extra") == "allow")
        _PLANS[key] = found
    return found


def _is_variant(cls: type[BaseModel]) -> bool:
    """Content-like classes carry a literal ``type`` tag; they never map onto another tag."""
    field = fields(cls).get("type")
    return field is not None and typing.get_origin(field.annotation) is typing.Literal


def _keep_structured_meaning(
    value: BaseModel, out: dict[str, Any], target: type[BaseModel]
) -> None:
    """``structuredContent`` an older client cannot see is kept as a JSON text block
    (the 2025-06-18 tools page asks servers to send both anyway)."""
    if "structured_content" not in fields(type(value)) or "structured_content" in fields(target):
        return
    structured = value.structured_content  # type: ignore[attr-defined]
    if structured is None:
        return
    content = out.setdefault("content", [])
    if not any(isinstance(c, dict) and c.get("type") == "text" for c in content):
        content.append({"type": "text", "text": orjson.dumps(_dump(structured)).decode()})


_FAITHFUL: dict[tuple[type, type], frozenset[str] | None] = {}
_RAW = (Any, object, dict, list)
"""Annotations that admit any JSON object or array as it is."""


def faithful(source: type[BaseModel], target: type[BaseModel]) -> frozenset[str] | None:
    """When every value of ``source`` projects onto ``target`` as its own wire dump, less
    the top-level modern envelope keys the target lacks: those keys (often none), else
    None. Decided once per pair from the classes alone; the walk then has nothing to do,
    so :func:`convert` skips it (the typical same-shape answer to an older client)."""
    key = (source, target)
    if key in _FAITHFUL:
        return _FAITHFUL[key]
    found = None
    if _faithful_model(source, target, top=True, visiting=set()):
        declared = fields(target)
        found = frozenset(
            field.alias or name
            for name, field in fields(source).items()
            if name in _ENVELOPE and name not in declared
        )
    _FAITHFUL[key] = found
    return found


def _faithful_model(
    source: type[BaseModel], target: type[BaseModel], *, top: bool, visiting: set[Any]
) -> bool:
    """The walk keeps every field of ``source`` under the same wire name, and extras alike."""
    if source is target or (source, target) in visiting:
        return True  # identical, or already being checked further up (recursive models)
    visiting.add((source, target))
    if issubclass(source, RootModel) or issubclass(target, RootModel):
        return False
    theirs = fields(target)
    ours = fields(source)
    if source.model_config.get("extra") == "allow":
        if target.model_config.get("extra") != "allow":
            return False  # extras would be dropped
        for name, field in theirs.items():
            # an extra under the name of a field only the target has is read as that field
            renamed = (field.alias or name) != name
            if name not in ours and (renamed or not _opaque(field.annotation)):
                return False
    for name, field in ours.items():
        if top and name in _ENVELOPE and name not in theirs:
            continue
        other = theirs.get(name)
        if other is None or (other.alias or name) != (field.alias or name):
            return False
        if not _faithful_annotation(field.annotation, other.annotation, visiting):
            return False
    return True


def _faithful_annotation(ours: Any, theirs: Any, visiting: set[Any]) -> bool:
    """Every value ``ours`` admits goes through :meth:`Projection.value` unchanged."""
    origin = typing.get_origin(ours)
    if origin is typing.Annotated:
        return _faithful_annotation(typing.get_args(ours)[0], theirs, visiting)
    if origin in _UNION_TYPES:
        return all(_faithful_annotation(arg, theirs, visiting) for arg in typing.get_args(ours))
    if ours in _RAW:
        return _opaque(theirs)  # any JSON value may come: nothing on their side may filter it
    if isinstance(ours, type) and issubclass(ours, BaseModel):
        if issubclass(ours, RootModel):
            return False
        match = _match(ours, theirs)
        if match is None:
            return not model_classes(theirs)  # else downgraded to a note, or dropped
        return _faithful_model(ours, match, top=False, visiting=visiting)
    ok, item = _container_item(ours, _SEQUENCES)
    if ok:
        found, other = _container_item(theirs, _SEQUENCES)
        return _faithful_annotation(item, other if found else Any, visiting)
    ok, item = _container_item(ours, _MAPPINGS)
    if ok:
        found, other = _container_item(theirs, _MAPPINGS)
        if found:
            return _faithful_annotation(item, other, visiting)
        return len(model_classes(theirs)) != 1  # else that one model filters the dict
    return True  # a scalar, passed as it is


def _opaque(annotation: Any) -> bool:
    """No model anywhere in ``annotation``: any JSON value goes through unchanged."""
    if annotation in (Any, object):
        return True
    if model_classes(annotation):
        return False
    return all(
        _opaque(item) if ok else True
        for ok, item in (
            _container_item(annotation, _SEQUENCES),
            _container_item(annotation, _MAPPINGS),
        )
    )


_SHORTCUTS: dict[
    tuple[type, int],
    tuple[Any, frozenset[str] | None, Callable[[BaseModel], dict[str, Any]]],
] = {}
"""Per ``(source class, target)``: :func:`faithful`'s answer for :func:`convert` and the
source's dumper, memoized by identity like :func:`_match` (one lookup per call)."""


def convert(value: BaseModel, target: type[BaseModel], revision: str, what: str) -> dict[str, Any]:
    """``value`` re-expressed as wire JSON for ``target`` (a model of ``revision``)."""
    source = type(value)
    pair = (source, id(target))
    shortcut = _SHORTCUTS.get(pair)
    if shortcut is None or shortcut[0] is not target:
        match = _match(source, target)
        envelope = faithful(source, match) if match is not None else None
        shortcut = _SHORTCUTS[pair] = (target, envelope, wire.dumper(source))
    envelope = shortcut[1]
    if envelope is not None:
        out = shortcut[2](value)
        for key in envelope:
            out.pop(key, None)
        return out
    projection = Projection(revision)
    out = projection.value(value, target)
    projection.report(what)
    if not isinstance(out, dict):
        raise TypeError(f"{what}: projection did not yield an object")
    return out
