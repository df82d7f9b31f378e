"""A new upstream revision is one manifest entry, no code: nothing in ``codegen/`` names a
revision except the bounds of a range (``since``/``until``/``between``), which record where
upstream changed something. Docstrings are prose and may name revisions."""

from __future__ import annotations

import ast
import re

from mcp_foundry import paths
from mcp_foundry.sources import registry

ROOT = paths.CHECKOUT
assert ROOT is not None, "the quality gates run from a checkout"
CODE = ROOT / "codegen"
RANGE_BOUNDS = {"since", "until", "between"}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
"""A dated revision may hide inside a message; a named one (``draft``) is matched whole."""


def _docstrings(tree: ast.Module) -> set[int]:
    """Module, class and function docstrings, and the string after an assignment."""
    found = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if not isinstance(body, list):
            continue
        for index, stmt in enumerate(body):
            if (
                isinstance(stmt, ast.Expr)
                and isinstance(stmt.value, ast.Constant)
                and isinstance(stmt.value.value, str)
                and (index == 0 or isinstance(body[index - 1], ast.Assign | ast.AnnAssign))
            ):
                found.add(id(stmt.value))
    return found


def _range_bounds(tree: ast.Module) -> set[int]:
    allowed = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in RANGE_BOUNDS:
                allowed.update(id(arg) for arg in node.args)
    return allowed


def revision_literals(source: str, names: set[str]) -> list[tuple[int, str]]:
    """``(line, text)`` of every string constant naming a revision outside the exceptions."""
    tree = ast.parse(source)
    skip = _docstrings(tree) | _range_bounds(tree)
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skip
        and (node.value in names or names & set(_DATE.findall(node.value)))
    ]


def test_the_checker_sees_what_it_must_and_nothing_else() -> None:
    newest = registry.latest()
    source = (
        f'"""Module docs may say {newest}."""\n'
        f"A = {newest!r}\n"
        f"B = since({newest!r})\n"
        f'C = f"speaks {newest}"\n'
        f"D = x == {registry.names()[-1]!r}\n"
        f'E = 1\n"""an attribute docstring naming {newest}"""\n'
    )
    found = revision_literals(source, set(registry.names()))
    assert [line for line, _ in found] == [2, 4, 5]


def test_no_revision_literal_in_the_toolkit() -> None:
    names = set(registry.names())
    found = [
        f"{path.relative_to(ROOT)}:{line}: {text!r}"
        for path in sorted(CODE.rglob("*.py"))
        for line, text in revision_literals(path.read_text(encoding="utf-8"), names)
        if path.name != "registry.py" or path.parent.name != "sources"
    ]
    assert not found, "ask mcp_foundry.sources.registry instead:\n" + "\n".join(found)
