"""A JSON Schema corpus through datamodel-code-generator: ``$defs``/``$ref``, recursion,
``oneOf``/``anyOf``, ``const``, nullable, formats, ``additionalProperties`` and names
that are not Python identifiers. Each model must accept what the schema accepts and
refuse what it refuses (checked against the ``jsonschema`` validator), keep names
derived from the tool's, and the package must type-check and be stable."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import pytest
from mcp_foundry.commands.generate import write_package
from mcp_foundry.servergen import naming, package, surface
from pydantic import BaseModel, ValidationError

from .support import assert_clean, import_bindings

CORPUS = Path(__file__).parent / "data" / "corpus.json"
TOOLS = json.loads(CORPUS.read_text())["tools"]


@pytest.fixture(scope="module")
def corpus(packages: Path) -> Path:
    target = packages / "corpus_bindings"
    write_package(target, package.render(surface.load(CORPUS), target.name))
    return target


@pytest.fixture(scope="module")
def models(corpus: Path) -> ModuleType:
    module: ModuleType = import_bindings(corpus).models
    return module


def _input_model(models: ModuleType, tool: dict[str, Any]) -> type[BaseModel]:
    stem = naming.class_stem(tool["name"])
    model: type[BaseModel] = getattr(models, f"{stem}Input")
    return model


@pytest.mark.parametrize("tool", TOOLS, ids=[t["name"] for t in TOOLS])
def test_models_accept_and_refuse_what_the_schema_does(
    models: ModuleType, tool: dict[str, Any]
) -> None:
    model = _input_model(models, tool)
    checker = jsonschema.Draft202012Validator(
        tool["inputSchema"], format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    for instance in tool["valid"]:
        checker.validate(instance)
        dumped = model.model_validate(instance).model_dump(
            mode="json", by_alias=True, exclude_unset=True
        )
        checker.validate(dumped)  # what the client would send is still valid
        assert dumped == instance  # and it is what the caller gave
    unchecked = set(tool.get("unchecked_formats", [])) - set(checker.FORMAT_CHECKER.checkers)
    for instance in tool["invalid"]:
        assert unchecked or not checker.is_valid(instance), instance
        with pytest.raises(ValidationError):
            model.model_validate(instance)


def test_no_class_is_numbered_or_generic(models: ModuleType) -> None:
    classes = [
        n
        for n, v in vars(models).items()
        # pydantic files parametrized generics (RootModel[X]) under non-identifiers
        if isinstance(v, type) and v.__module__ == models.__name__ and n.isidentifier()
    ]
    assert classes
    assert not [n for n in classes if re.search(r"\d$", n) or n.startswith("Model")]
    stems = {naming.class_stem(t["name"]) for t in TOOLS} | {"SummariseText"}
    assert all(any(n.startswith(s) for s in stems) for n in classes), classes
    expected = {
        "ShipInputAddress",
        "TreeInputNode",
        "TreeOutput",
        "PickInputShapeCircle",
        "PickInputShapeSquare",
        "GetForecastV2OutputLocation",
        "GetForecastV2OutputStationLocation",
        "SummariseTextArguments",
        "ClassInput",
    }
    assert expected <= set(classes)


def test_awkward_names_become_keyword_arguments(corpus: Path, models: ModuleType) -> None:
    client = (corpus / "client.py").read_text()
    assert "async def get_forecast_v2(" in client and "async def class_(self)" in client
    for name in ("class_", "x_unit", "field_2fa", "from_", "self_", "city_name"):
        assert f"        {name}: " in client
    assert "async def read_file(self, *, path: str, rev: str | Unset = UNSET)" in client
    assert "async def wrapped(self, *, arguments: WrappedInputArgs) -> ToolResult:" in client
    sent = models.GetForecastV2Input.model_validate(
        {"class_": "a", "city_name": "Paris", "self": 1, "field_2fa": True}
    ).model_dump(mode="json", by_alias=True, exclude_unset=True)
    assert sent == {"class": "a", "city name": "Paris", "self": 1, "2fa": True}


def test_recursion_through_the_root(models: ModuleType) -> None:
    nested = {"root": {"label": "a"}, "same_again": {"root": {"label": "b"}}}
    value = models.TreeInput.model_validate(nested)
    assert value.same_again.root.label == "b"


def test_corpus_package_type_checks_and_is_formatted(corpus: Path, site: Path) -> None:
    assert_clean(site, corpus)


def test_output_does_not_depend_on_listing_order(corpus: Path) -> None:
    doc = json.loads(CORPUS.read_text())
    shuffled = surface.build(
        {
            "tools": list(reversed(doc["tools"])),
            "prompts": doc["prompts"],
            "resource_templates": doc["resourceTemplates"],
        }
    )
    again = package.render(shuffled, corpus.name)
    for name, content in again.items():
        assert (corpus / name).read_text() == content, name
