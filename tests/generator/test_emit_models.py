"""The models emitter on hand-made IR: shapes no current revision has, rendered right."""

from __future__ import annotations

import importlib
import sys
import types
from pathlib import Path

import pydantic
from mcp_foundry.emit.models import emit_models
from mcp_foundry.ir.model import (
    Array,
    Const,
    Definition,
    Primitive,
    Property,
    Ref,
    RevisionIR,
    Union_,
)

from generator.hand_made import revision_of


def _module(ir: RevisionIR, folder: Path) -> types.ModuleType:
    """The emitted ``models`` facade, imported from a package of its own in ``folder``."""
    package = folder / f"emitted_{folder.name}"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for name, text in emit_models(ir).items():
        (package / name).write_text(text)
    sys.path.insert(0, str(folder))
    try:
        return importlib.import_module(f"{package.name}.models")
    finally:
        sys.path.remove(str(folder))


def _created(models: types.ModuleType) -> set[str]:
    """The emitted classes created so far, by name (a module loads with its classes)."""
    package = models.__name__.rpartition(".")[0]
    return {
        name
        for module, loaded in sys.modules.items()
        if module.startswith(f"{package}._") and not module.endswith("._prelude")
        for name, value in vars(loaded).items()
        if isinstance(value, type) and value.__module__ == module
    }


def test_self_referencing_class_is_quoted_and_resolves(tmp_path: Path) -> None:
    node = Definition(
        name="TreeNode",
        kind="object",
        properties=(
            Property("label", "label", Const("node"), True),
            Property("children", "children", Array(Ref("TreeNode")), False),
        ),
    )
    source = emit_models(revision_of(node))["_tree_node.py"]
    assert 'children: "list[TreeNode] | None" = None' in source
    models = _module(revision_of(node), tmp_path)
    document = {"label": "node", "children": [{"label": "node", "children": []}]}
    value = models.TreeNode.model_validate(document)
    assert value.model_dump(by_alias=True, exclude_unset=True) == document


def test_discriminated_union_alias_follows_its_members(tmp_path: Path) -> None:
    cat = Definition("Cat", "object", properties=(Property("kind", "kind", Const("cat"), True),))
    dog = Definition("Dog", "object", properties=(Property("kind", "kind", Const("dog"), True),))
    pet = Definition(
        "AnyPet", "alias", alias=Union_((Ref("Cat"), Ref("Dog")), discriminator="kind")
    )
    models = _module(revision_of(pet, cat, dog), tmp_path)
    adapter: pydantic.TypeAdapter[object] = pydantic.TypeAdapter(models.AnyPet)
    assert type(adapter.validate_python({"kind": "dog"})).__name__ == "Dog"
    # the constant tag counts as set: it is always on the wire
    assert models.Cat().model_dump(by_alias=True, exclude_unset=True) == {"kind": "cat"}


def test_aliases_come_from_the_rule_and_a_field_only_where_it_misses(tmp_path: Path) -> None:
    """``mcp_foundry.bindings.wire_name`` is the models' alias generator (cheaper to create
    than a ``Field`` per attribute); the emitter spells out every alias it does not give."""
    text = Primitive("string")
    shape = Definition(
        "Shape",
        "object",
        properties=(
            Property("_meta", "meta", Primitive("any"), False),
            Property("mimeType", "mime_type", text, True),
            Property("$schema", "schema_", text, False),
            Property("snake_case", "snake_case", text, False),
            Property("io.modelcontextprotocol/clientInfo", "client_info", text, False),
        ),
    )
    source = emit_models(revision_of(shape))["_shape.py"]
    assert "mime_type: str\n" in source
    assert 'alias="_meta"' not in source
    for wire in ("$schema", "snake_case", "io.modelcontextprotocol/clientInfo"):
        assert f"alias={wire!r}".replace("'", '"') in source
    models = _module(revision_of(shape), tmp_path)
    document = {
        "_meta": {"k": 1},
        "mimeType": "text/plain",
        "$schema": "s",
        "snake_case": "x",
        "io.modelcontextprotocol/clientInfo": "c",
    }
    value = models.Shape.model_validate(document)
    assert value.model_dump(mode="json", exclude_unset=True) == document
    assert {n: f.alias for n, f in models.Shape.model_fields.items()} == {
        "meta": "_meta",
        "mime_type": "mimeType",
        "schema_": "$schema",
        "snake_case": "snake_case",
        "client_info": "io.modelcontextprotocol/clientInfo",
    }


def test_a_class_loads_with_exactly_its_dependency_closure(tmp_path: Path) -> None:
    """One private module per strongly connected component: classes that refer to each
    other share one, the rest import what they mention; the facade loads on first use."""
    text = Primitive("string")
    ping = Definition("Ping", "object", properties=(Property("pong", "pong", Ref("Pong"), False),))
    pong = Definition("Pong", "object", properties=(Property("ping", "ping", Ref("Ping"), False),))
    game = Definition("Game", "object", properties=(Property("ball", "ball", Ref("Ping"), True),))
    other = Definition("Other", "object", properties=(Property("text", "text", text, True),))
    ir = revision_of(ping, pong, game, other)
    files = emit_models(ir)
    assert set(files) == {"models.py", "_prelude.py", "_ping.py", "_game.py", "_other.py"}
    assert "from ._ping import Ping\n" in files["_game.py"]
    models = _module(ir, tmp_path)
    assert _created(models) == set()
    assert set(models.__all__) <= set(dir(models))
    assert {"Game", "Other", "Ping", "Pong", "MCPModel"} <= set(models.__all__)
    game_value = models.Game.model_validate({"ball": {"pong": {"ping": {}}}})
    assert _created(models) == {"Game", "Ping", "Pong"}
    assert type(game_value.ball.pong).__name__ == "Pong"
    assert models.Pong is type(game_value.ball.pong)
    exec(f"from {models.__name__} import Other", {})
    assert _created(models) == {"Game", "Ping", "Pong", "Other"}
    try:
        models.Missing  # noqa: B018
    except AttributeError as exc:
        assert "Missing" in str(exc)
    else:
        raise AssertionError("an unknown name must raise AttributeError")
