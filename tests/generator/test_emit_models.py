"""The models emitter on hand-made IR: shapes no current revision has, rendered right."""

from __future__ import annotations

import sys
import types

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


def _module(ir: RevisionIR) -> types.ModuleType:
    module = types.ModuleType(f"emitted_{ir.revision}")
    sys.modules[module.__name__] = module
    exec(compile(emit_models(ir), module.__name__, "exec"), module.__dict__)
    return module


def _ir(*definitions: Definition) -> RevisionIR:
    return RevisionIR(
        revision="test",
        era="modern",
        jsonrpc_version="2.0",
        latest_protocol_version="test",
        definitions={d.name: d for d in definitions},
        methods={},
    )


def test_self_referencing_class_is_quoted_and_resolves() -> None:
    node = Definition(
        name="TreeNode",
        kind="object",
        properties=(
            Property("label", "label", Const("node"), True),
            Property("children", "children", Array(Ref("TreeNode")), False),
        ),
    )
    source = emit_models(_ir(node))
    assert 'children: "list[TreeNode] | None" = None' in source
    models = _module(_ir(node))
    document = {"label": "node", "children": [{"label": "node", "children": []}]}
    value = models.TreeNode.model_validate(document)
    assert value.model_dump(by_alias=True, exclude_unset=True) == document


def test_discriminated_union_alias_follows_its_members() -> None:
    cat = Definition("Cat", "object", properties=(Property("kind", "kind", Const("cat"), True),))
    dog = Definition("Dog", "object", properties=(Property("kind", "kind", Const("dog"), True),))
    pet = Definition(
        "AnyPet", "alias", alias=Union_((Ref("Cat"), Ref("Dog")), discriminator="kind")
    )
    models = _module(_ir(pet, cat, dog))
    adapter: pydantic.TypeAdapter[object] = pydantic.TypeAdapter(models.AnyPet)
    assert type(adapter.validate_python({"kind": "dog"})).__name__ == "Dog"
    # the constant tag counts as set: it is always on the wire
    assert models.Cat().model_dump(by_alias=True, exclude_unset=True) == {"kind": "cat"}


def test_aliases_come_from_the_rule_and_a_field_only_where_it_misses() -> None:
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
    source = emit_models(_ir(shape))
    assert "mime_type: str\n" in source
    assert 'alias="_meta"' not in source
    for wire in ("$schema", "snake_case", "io.modelcontextprotocol/clientInfo"):
        assert f"alias={wire!r}".replace("'", '"') in source
    models = _module(_ir(shape))
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
