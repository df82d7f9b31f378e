"""IR types → Python annotation expressions used by the model templates.

Each expression is spelled together with the module-level names it needs (``typing``,
``pydantic``, the prelude's ``Base64Str``), added to the caller's ``uses``: what a
generated module imports is decided where its text is written, never read back from it.
"""

from __future__ import annotations

from mcp_foundry.emit.literals import literal
from mcp_foundry.ir.model import Array, Const, Enum, MapOf, Primitive, Ref, TypeRef, Union_

_PRIMITIVES: dict[str, tuple[str, tuple[str, ...]]] = {
    "string": ("str", ()),
    "integer": ("int", ()),
    # `int | float`, not `float`: a smart union keeps 3 as 3, so wire JSON round-trips.
    "number": ("int | float", ()),
    "boolean": ("bool", ()),
    "null": ("None", ()),
    "any": ("typing.Any", ("typing",)),
}
"""Each JSON scalar's annotation and the names it uses."""
_BASE64 = ("Base64Str", ("Base64Str",))
"""A ``format: byte`` string (the prelude's validated alias)."""


def annotation(type_: TypeRef, uses: set[str]) -> str:
    """The annotation of a value of ``type_`` (names of definitions stay bare); the
    helper names it spells are added to ``uses``."""
    if isinstance(type_, Primitive):
        byte = type_.format == "byte"
        base, needs = _BASE64 if byte else _PRIMITIVES[type_.kind]
        uses.update(needs)
        limits = []
        if type_.minimum is not None:
            limits.append(f"ge={type_.minimum!r}")
        if type_.maximum is not None:
            limits.append(f"le={type_.maximum!r}")
        if limits:
            return _constrained(base, ", ".join(limits), uses)
        return base
    if isinstance(type_, Const):
        uses.add("typing")
        return f"typing.Literal[{literal(type_.value)}]"
    if isinstance(type_, Enum):
        uses.add("typing")
        choices = f"typing.Literal[{', '.join(literal(v) for v in type_.values)}]"
        return f"{choices} | str" if type_.open else choices
    if isinstance(type_, Ref):
        return type_.name
    if isinstance(type_, Array):
        inner = f"list[{annotation(type_.item, uses)}]"
        if type_.max_items is not None:
            return _constrained(inner, f"max_length={type_.max_items}", uses)
        return inner
    if isinstance(type_, MapOf):
        return f"dict[str, {annotation(type_.value, uses)}]"
    union = " | ".join(annotation(m, uses) for m in type_.members)
    if type_.discriminator is not None:
        return _constrained(union, f"discriminator={literal(type_.discriminator)}", uses)
    return union


def _constrained(base: str, field_args: str, uses: set[str]) -> str:
    """``base`` with pydantic ``Field`` arguments attached."""
    uses.update(("typing", "pydantic"))
    return f"typing.Annotated[{base}, pydantic.Field({field_args})]"


def optional(type_: TypeRef, uses: set[str]) -> str:
    """The annotation of an optional property (absent → ``None``)."""
    rendered = annotation(type_, uses)
    if rendered in ("typing.Any", "None") or rendered.endswith("| None"):
        return rendered
    return f"{rendered} | None"


def refs(type_: TypeRef) -> set[str]:
    """Definition names ``type_`` mentions."""
    if isinstance(type_, Ref):
        return {type_.name}
    if isinstance(type_, Array):
        return refs(type_.item)
    if isinstance(type_, MapOf):
        return refs(type_.value)
    if isinstance(type_, Union_):
        return set().union(*(refs(m) for m in type_.members))
    return set()
