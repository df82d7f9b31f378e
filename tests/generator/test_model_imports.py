"""Each generated model module imports exactly the names it uses: none it does not use
(no ``Base64Str`` or ``typing_extensions`` for nothing), none it uses without importing.

Checked on the emitter's output for every revision (read with ``ast``, string
annotations included: pydantic resolves those in the module's namespace), on hand-made
IR for the helpers one at a time, and with ruff's F401/F821 on the bindings as installed.
"""

from __future__ import annotations

import ast
import builtins
import subprocess
import sys
from pathlib import Path

import pytest
from mcp_foundry import generated
from mcp_foundry.emit.models import PRELUDE, emit_models
from mcp_foundry.ir import load_revision
from mcp_foundry.ir.model import (
    Array,
    Const,
    Definition,
    Extra,
    Primitive,
    Property,
    Ref,
    TypeRef,
    Union_,
)
from mcp_foundry.ir.source import known_revisions

from generator.hand_made import revision_of

_ALIAS_FACTORY = "TypeAliasType"


def _parsed(text: str) -> ast.AST | None:
    try:
        return ast.parse(text, mode="eval")
    except SyntaxError:
        return None


def _deferred(tree: ast.Module) -> list[ast.AST]:
    """The expressions written as strings that Python or pydantic evaluates in the
    module later: quoted annotations and a ``TypeAliasType``'s value."""
    found: list[ast.AST] = []
    for node in ast.walk(tree):
        texts: list[ast.expr] = []
        if isinstance(node, ast.AnnAssign):
            texts.append(node.annotation)
        elif isinstance(node, ast.arg) and node.annotation is not None:
            texts.append(node.annotation)
        elif isinstance(node, ast.Call):
            func = node.func
            named = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if named == _ALIAS_FACTORY:
                texts.extend(node.args[1:])
        for text in texts:
            if isinstance(text, ast.Constant) and isinstance(text.value, str):
                parsed = _parsed(text.value)  # (strings inside it are literals)
                if parsed is not None:
                    found.append(parsed)
    return found


def import_problems(source: str) -> tuple[set[str], set[str]]:
    """``(imported but unused, used but neither imported, defined nor builtin)``."""
    tree = ast.parse(source)
    imported: set[str] = set()
    defined: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            imported.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.update(a.asname or a.name for a in node.names)
        elif isinstance(node, ast.ClassDef | ast.FunctionDef):
            defined.add(node.name)
        elif isinstance(node, ast.Assign):
            defined.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            defined.add(node.target.id)
    used: set[str] = set()
    local: set[str] = set()
    for root in [tree, *_deferred(tree)]:
        for node in ast.walk(root):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                used.add(node.id)
            elif isinstance(node, ast.arg):
                local.add(node.arg)
    undefined = used - imported - defined - local - set(dir(builtins))
    return imported - used, undefined


@pytest.mark.parametrize("revision", known_revisions())
def test_every_emitted_module_imports_exactly_what_it_uses(revision: str) -> None:
    files = emit_models(load_revision(revision))
    for name, source in sorted(files.items()):
        if not name.startswith("_") or name == f"{PRELUDE}.py":
            continue
        unused, undefined = import_problems(source)
        assert not unused, f"{revision} {name} imports what it does not use: {sorted(unused)}"
        assert not undefined, f"{revision} {name} uses what it does not import: {undefined}"


def test_the_check_sees_unused_and_missing_imports() -> None:
    source = (
        "import typing\nimport pydantic\nfrom ._prelude import Base64Str, MCPModel\n"
        'class A(MCPModel):\n    x: "typing.Any"\n    y: "list[Other]"\n'
    )
    assert import_problems(source) == ({"pydantic", "Base64Str"}, {"Other"})


def _imports(*definitions: Definition) -> dict[str, set[str]]:
    """Each emitted component module's imported names, by file name."""
    found = {}
    for name, source in emit_models(revision_of(*definitions)).items():
        if name.startswith("_") and name != f"{PRELUDE}.py":
            tree = ast.parse(source)
            found[name] = {
                alias.asname or alias.name
                for node in tree.body
                if isinstance(node, ast.Import | ast.ImportFrom)
                for alias in node.names
            }
    return found


def _object(name: str, *fields: tuple[str, TypeRef], extra: Extra = "ignore") -> Definition:
    props = tuple(Property(wire, wire, kind, True) for wire, kind in fields)
    return Definition(name, "object", properties=props, extra=extra)


def test_helpers_are_imported_only_where_spelled() -> None:
    text, blob = Primitive("string"), Primitive("string", format="byte")
    assert _imports(_object("Plain", ("a", text))) == {"_plain.py": {"MCPModel"}}
    assert _imports(_object("Blob", ("data", blob))) == {"_blob.py": {"MCPModel", "Base64Str"}}
    tagged = _object("Tagged", ("kind", Const("t")))
    assert _imports(tagged) == {"_tagged.py": {"MCPModel", "typing"}}
    limited = _object("Limited", ("n", Primitive("integer", minimum=0)))
    assert _imports(limited) == {"_limited.py": {"MCPModel", "typing", "pydantic"}}
    open_bag = _object("Bag", ("a", text), extra="allow")
    assert _imports(open_bag) == {"_bag.py": {"MCPModel", "pydantic"}}
    alias = Definition("Names", "alias", alias=Array(text))
    assert _imports(alias) == {"_names.py": {"typing"}}
    tree = Definition("Tree", "alias", alias=Union_((Array(Ref("Tree")), text)))
    assert _imports(tree) == {"_tree.py": {"typing_extensions"}}
    user = _object("User", ("plain", Ref("Plain")))
    assert _imports(user, _object("Plain", ("a", text)))["_user.py"] == {"MCPModel", "Plain"}


def test_installed_bindings_pass_ruff_unused_and_undefined_names() -> None:
    """ruff F401 (unused import) and F821 (undefined name) on every generated package."""
    folder = Path(generated.__file__).parent
    packages = sorted(str(p) for p in folder.glob("rev_*") if p.is_dir())
    assert packages, "no generated bindings: run make generate"
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "F401,F821", *packages],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-4000:]
