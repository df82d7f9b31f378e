"""Render IR types as short TypeScript-like text, and compare them structurally.

The text is what reports show in their before/after columns; equality of two types is
decided here, with references compared through the definition matching (a renamed or
hoisted definition is the same type under another name).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from mcp_foundry.ir.model import Array, Const, Enum, MapOf, Primitive, Ref, TypeRef, Union_

SameRef = Callable[[str, str], bool]


def render(t: TypeRef | None, rename: Callable[[str], str] = lambda n: n) -> str:
    """``string``, ``"text"``, ``"a" | "b" | string``, ``Tool[]``, ``{[key]: unknown}``."""
    if t is None:
        return "—"
    if isinstance(t, Primitive):
        name = "unknown" if t.kind == "any" else t.kind
        limits = [
            f"{k} {v}"
            for k, v in (("format", t.format), ("≥", t.minimum), ("≤", t.maximum))
            if v is not None
        ]
        return f"{name} ({', '.join(limits)})" if limits else name
    if isinstance(t, Const):
        return json.dumps(t.value)
    if isinstance(t, Enum):
        return " | ".join([*(json.dumps(v) for v in t.values), *(["string"] if t.open else [])])
    if isinstance(t, Ref):
        return rename(t.name)
    if isinstance(t, Array):
        item = render(t.item, rename)
        inner = f"({item})" if isinstance(t.item, (Union_, Enum)) else item
        return f"{inner}[]" + (f" (≤ {t.max_items} items)" if t.max_items is not None else "")
    if isinstance(t, MapOf):
        return f"{{[key: string]: {render(t.value, rename)}}}"
    return " | ".join(render(m, rename) for m in t.members)


def same(a: TypeRef | None, b: TypeRef | None, same_ref: SameRef) -> bool:
    """Structural equality, references matched by ``same_ref``."""
    if a is None or b is None:
        return a is b
    if isinstance(a, Ref) and isinstance(b, Ref):
        return same_ref(a.name, b.name)
    if type(a) is not type(b):
        return False
    if isinstance(a, Array) and isinstance(b, Array):
        return a.max_items == b.max_items and same(a.item, b.item, same_ref)
    if isinstance(a, MapOf) and isinstance(b, MapOf):
        return same(a.value, b.value, same_ref)
    if isinstance(a, Union_) and isinstance(b, Union_):
        return len(a.members) == len(b.members) and all(
            any(same(m, n, same_ref) for n in b.members) for m in a.members
        )
    if isinstance(a, Enum) and isinstance(b, Enum):
        return set(a.values) == set(b.values) and a.open == b.open
    return a == b


def members(t: TypeRef) -> tuple[TypeRef, ...]:
    """The alternatives a type allows: union members (nested unions flattened), or itself."""
    if not isinstance(t, Union_):
        return (t,)
    return tuple(m for member in t.members for m in members(member))


def refs_in(t: TypeRef | None) -> list[str]:
    """Every definition name a type mentions, in order."""
    if t is None:
        return []
    if isinstance(t, Ref):
        return [t.name]
    if isinstance(t, Array):
        return refs_in(t.item)
    if isinstance(t, MapOf):
        return refs_in(t.value)
    if isinstance(t, Union_):
        return [n for m in t.members for n in refs_in(m)]
    return []
