"""Every upstream example validates against its same-named model and dumps back equal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pydantic
import pytest
from mcp_foundry import generated
from mcp_foundry.ir.source import schema_dir

EXAMPLE_REVISIONS = ("2026-07-28", "draft")

# Upstream examples carrying keys their own definition does not have. Closed models drop
# unknown keys (that is what lets a newer document project onto an older revision), so
# these keys are expected to vanish; anything else vanishing is a failure.
UPSTREAM_EXTRA_KEYS = {
    "ListRootsRequest/list-roots-request.json": {"id"},
}


def _examples() -> list[tuple[str, Path]]:
    found = []
    for revision in EXAMPLE_REVISIONS:
        for path in sorted((schema_dir(revision) / "examples").glob("*/*.json")):
            found.append((revision, path))
    return found


EXAMPLES = _examples()


def test_examples_exist_including_binary() -> None:
    names = {f"{p.parent.name}/{p.name}" for _, p in EXAMPLES}
    assert len(EXAMPLES) >= 200
    assert any(n.startswith("ImageContent/") for n in names)
    assert any(n.startswith("AudioContent/") for n in names)
    assert any(n.startswith("BlobResourceContents/") for n in names)


@pytest.mark.parametrize(
    ("revision", "path"), EXAMPLES, ids=[f"{r}:{p.parent.name}/{p.name}" for r, p in EXAMPLES]
)
def test_example_round_trips(revision: str, path: Path) -> None:
    models = generated.load(revision).models
    target = getattr(models, path.parent.name)
    adapter: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(target)
    document = json.loads(path.read_text(encoding="utf-8"))
    value = adapter.validate_python(document)
    dumped = adapter.dump_python(value, mode="json", by_alias=True, exclude_unset=True)
    expected = dict(document)
    for key in UPSTREAM_EXTRA_KEYS.get(f"{path.parent.name}/{path.name}", ()):
        assert key in expected, "upstream fixed the example: drop it from UPSTREAM_EXTRA_KEYS"
        del expected[key]
    assert dumped == expected
    # and the JSON text itself survives (numbers stay ints, floats stay floats)
    assert json.loads(adapter.dump_json(value, by_alias=True, exclude_unset=True)) == expected


def test_binary_base64_is_checked() -> None:
    models = generated.load("2026-07-28").models
    png = (
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5Er"
        "kJggg=="
    )
    image = models.ImageContent.model_validate(
        {"type": "image", "data": png, "mimeType": "image/png"}
    )
    assert image.data == png
    with pytest.raises(pydantic.ValidationError, match="base64"):
        models.ImageContent.model_validate(
            {"type": "image", "data": "not base64 at all!", "mimeType": "image/png"}
        )
