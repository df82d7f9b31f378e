"""The official server-conformance harness (both eras' selections) against three
instances of the everything server behind haproxy (round robin, no stickiness) sharing a
real Redis: the same baseline as against one instance."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from conformance.harness import RUNNER, assert_matches_baseline, run_harness

BASELINE = yaml.safe_load(
    (Path(__file__).parents[1] / "conformance" / "expected-failures.yml").read_text()
)
MIN_RUN = {"2025-11-25": 33, "2026-07-28": 50}
"""Scenarios each selection runs (as in ``test_everything_conformance``)."""

pytestmark = [
    pytest.mark.timeout(600),
    pytest.mark.skipif(not RUNNER.exists(), reason=f"conformance runner not found at {RUNNER}"),
]


@pytest.mark.parametrize("selection", ["2025-11-25", "2026-07-28"])
def test_the_server_leg_passes_behind_the_balancer(
    make_cluster: Any, tmp_path: Path, selection: str
) -> None:
    cluster = make_cluster(3)
    run = run_harness(cluster.url, selection, tmp_path / "results")
    expected = set(BASELINE[selection] or {})
    assert_matches_baseline(run, expected, MIN_RUN[selection], "expected-failures.yml")
    assert run.scored and all(run.scenarios[name].passed for name in run.scored), cluster.logs()
