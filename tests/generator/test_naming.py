"""Python names for wire names: model fields avoid pydantic's API, handler methods do not
need to (they are methods of a plain class), only Python keywords."""

from __future__ import annotations

import pytest
from mcp_foundry.ir.naming import handler_name, snake


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("tools/call", "tools_call"),
        ("tools/validate", "tools_validate"),
        ("resources/schema", "resources_schema"),
        ("sampling/createMessage", "sampling_create_message"),
        ("notifications/resources/list_changed", "notifications_resources_list_changed"),
        ("import", "import_"),
    ],
)
def test_handler_names(method: str, expected: str) -> None:
    assert handler_name(method) == expected


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("validate", "validate_"),
        ("schema", "schema_"),
        ("$schema", "schema_"),
        ("isError", "is_error"),
    ],
)
def test_field_names_still_avoid_pydantic_api(wire: str, expected: str) -> None:
    assert snake(wire) == expected
