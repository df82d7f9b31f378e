"""Validate documents against our encoding of the registry's server.json schema.

``jsonschema`` ships no ``uri`` format check, so one is registered here: an absolute URI
with a scheme, and a host for http(s).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema

SCHEMA_PATH = Path(__file__).parent / "data" / "server-json.schema.json"
_formats = jsonschema.FormatChecker()


@_formats.checks("uri", raises=ValueError)
def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    if not parts.scheme or any(c.isspace() for c in value):
        return False
    return bool(parts.netloc) if parts.scheme in ("http", "https") else True


def errors(document: Any) -> list[str]:
    """Every violation, as ``path: message``; empty when the document is valid."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema, format_checker=_formats)
    return sorted(
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in validator.iter_errors(document)
    )
