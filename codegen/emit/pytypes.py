"""IR types → Python annotation expressions used by the model templates."""

from __future__ import annotations

from mcp_foundry.emit.literals import literal
from mcp_foundry.ir.model import Array, Const, Enum, MapOf, Primitive, Ref, TypeRef, Union_

_PRIMITIVES = {
    "string": "str",
    "integer": "int",
    # `int | float`, not `float`: a smart union keeps 3 as 3, so wire JSON round-trips.
    "number": "int | float",
    "boolean": "bool",
    "null": "None",
    "any": "typing.Any",
}


def annotation(type_: TypeRef) -> str:
    """The annotation of a value of ``type_`` (names of definitions stay bare)."""
    if isinstance(type_, Primitive):
        base = "Base64Str" if type_.format == "byte" else _PRIMITIVES[type_.kind]
        limits = []
        if type_.minimum is not None:
            limits.append(f"ge={type_.minimum!r}")
        if type_.maximum is not None:
            limits.append(f"le={type_.maximum!r}")
        if limits:
            return f"typing.Annotated[{base}, pydantic.Field({', '.join(limits)})]"
        return base
    if isinstance(type_, Const):
        return f"typing.Literal[{literal(type_.value)}]"
    if isinstance(type_, Enum):
        choices = f"typing.Literal[{', '.join(literal(v) for v in type_.values)}]"
        return f"{choices} | str" if type_.open else choices
    if isinstance(type_, Ref):
        return type_.name
    if isinstance(type_, Array):
        inner = f"list[{annotation(type_.item)}]"
        if type_.max_items is not None:
            return f"typing.Annotated[{inner}, pydantic.Field(max_length={type_.max_items})]"
        return inner
    if isinstance(type_, MapOf):
        return f"dict[str, {annotation(type_.value)}]"
    union = " | ".join(annotation(m) for m in type_.members)
    if type_.discriminator is not None:
        tag = literal(type_.discriminator)
        return f"typing.Annotated[{union}, pydantic.Field(discriminator={tag})]"
    return union


def optional(type_: TypeRef) -> str:
    """The annotation of an optional property (absent → ``None``)."""
    rendered = annotation(type_)
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
