"""The fields of a generated model, read back from the models module's source, so each
client method's keyword arguments carry exactly the types datamodel-code-generator gave
the model (one source of truth for the mapping from JSON Schema to Python types)."""

from __future__ import annotations

import ast

import attrs


@attrs.frozen
class Field:
    name: str
    annotation: str
    """As written in the model, without ``Annotated[...]`` metadata."""
    required: bool
    names: frozenset[str]
    """The names the annotation uses, to import them beside the client."""


def _plain(annotation: ast.expr) -> ast.expr:
    if (
        isinstance(annotation, ast.Subscript)
        and isinstance(annotation.value, ast.Name)
        and annotation.value.id == "Annotated"
        and isinstance(annotation.slice, ast.Tuple)
    ):
        return annotation.slice.elts[0]
    return annotation


def classes(module: ast.Module) -> dict[str, list[Field]]:
    """Class name -> its annotated fields, in order, for every class in the module."""
    found: dict[str, list[Field]] = {}
    for node in module.body:
        if not isinstance(node, ast.ClassDef):
            continue
        fields = []
        for statement in node.body:
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                plain = _plain(statement.annotation)
                used = frozenset(n.id for n in ast.walk(plain) if isinstance(n, ast.Name))
                fields.append(
                    Field(statement.target.id, ast.unparse(plain), statement.value is None, used)
                )
        found[node.name] = fields
    return found


def root_models(module: ast.Module) -> set[str]:
    """Classes deriving from ``RootModel[...]``: inputs that are not an object of named
    fields (a top-level ``$ref`` or ``anyOf``), passed whole rather than by keyword."""
    return {
        node.name
        for node in module.body
        if isinstance(node, ast.ClassDef)
        for base in node.bases
        if isinstance(base, ast.Subscript)
        and isinstance(base.value, ast.Name)
        and base.value.id == "RootModel"
    }


def imported(module: ast.Module) -> dict[str, str]:
    """Name -> the module it is imported from, for the module's ``from X import`` lines."""
    return {
        alias.asname or alias.name: node.module
        for node in module.body
        if isinstance(node, ast.ImportFrom) and node.module and node.module != "__future__"
        for alias in node.names
    }
