"""The models emitter on hand-made IR: shapes no current revision has, rendered right."""

from __future__ import annotations

import sys
import types

import pydantic
from mcp_foundry.emit.models import emit_models
from mcp_foundry.ir.model import Array, Const, Definition, Property, Ref, RevisionIR, Union_


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
