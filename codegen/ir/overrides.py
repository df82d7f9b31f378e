"""Named fixes of known upstream schema.json defects, applied before the IR is built.

Each override names the definition path it corrects, the value schema.json has there
today and the value schema.ts says it should have. Applying one ASSERTS the old value: when
upstream changes (fixes the defect, or changes the shape), generation fails and names the
override to revisit, instead of silently patching something else.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from codegen.ir.model import Override
from codegen.ir.typescript import TsModule


class UpstreamChanged(RuntimeError):
    """An override no longer matches what it was written to replace."""


def apply_overrides(
    revision: str, schema_defs: Mapping[str, Any], ts: TsModule
) -> tuple[dict[str, Any], list[Override]]:
    """A corrected deep copy of ``schema_defs`` and the overrides applied to it."""
    patched: dict[str, Any] = copy.deepcopy(dict(schema_defs))
    return patched, []
