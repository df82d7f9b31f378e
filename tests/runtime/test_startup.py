"""Loading the authoring layer pauses the collector and freezes what it loaded (issue #15:
cold start), and leaves a program's own choice alone. Fresh interpreters, no timing."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.timeout(60)

PROBE = """
import gc, json, sys
if sys.argv[1] == "paused":
    gc.disable()
import mcp_foundry.authoring
print(json.dumps([gc.isenabled(), gc.get_freeze_count()]))
"""


def _after_import(state: str) -> tuple[bool, int]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, state], capture_output=True, timeout=50, check=True
    )
    enabled, frozen = json.loads(done.stdout)
    return enabled, frozen


def test_the_authoring_layer_loads_into_the_frozen_generation() -> None:
    enabled, frozen = _after_import("collecting")
    assert enabled
    assert frozen > 10_000  # modules, classes, pydantic's schemas: everything loaded so far


def test_a_program_that_paused_the_collector_keeps_it_paused_and_unfrozen() -> None:
    assert _after_import("paused") == (False, 0)
