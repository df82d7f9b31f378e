"""Property tests: documents drawn from each definition's JSON Schema validate against the
same-named generated model and dump back unchanged; breaking a required property or a
constant tag makes validation fail. Every definition of every revision, few examples each."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from mcp_foundry import generated
from mcp_foundry.ir.loader import revision_sources
from mcp_foundry.ir.source import known_revisions

from generator.normative import normative_schema
from generator.strategies import from_schema

CASES = [(r, name) for r in known_revisions() for name in sorted(revision_sources(r).definitions)]
SETTINGS = settings(
    max_examples=8, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


def _broken(schema: dict[str, Any], document: dict[str, Any]) -> list[dict[str, Any]]:
    """Variants of a valid object ``document`` that the schema rejects."""
    variants = []
    for key in sorted(schema.get("required", ())):
        prop = schema["properties"][key]
        without = {k: v for k, v in document.items() if k != key}
        if "const" in prop:
            wrong = 0 if isinstance(prop["const"], int) else "no-such-tag"
            variants.append({**document, key: wrong})
        else:
            variants.append(without)
    return variants


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("revision", "name"), CASES, ids=[f"{r}:{n}" for r, n in CASES])
def test_definition_round_trips(revision: str, name: str) -> None:
    schema = normative_schema(revision, name)
    adapter: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(
        getattr(generated.load(revision).models, name)
    )

    @SETTINGS
    @given(from_schema(schema))
    def check(document: Any) -> None:
        value = adapter.validate_python(document)
        assert (
            adapter.dump_python(value, mode="json", by_alias=True, exclude_unset=True) == document
        )
        if isinstance(document, dict) and schema.get("type") == "object":
            for broken in _broken(schema, document):
                with pytest.raises(pydantic.ValidationError):
                    adapter.validate_python(broken)

    check()
