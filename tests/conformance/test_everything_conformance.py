"""The everything server against the official MCP server-conformance harness.

A real server process on a free 127.0.0.1 port, the real harness (through the shared
``run-server-conformance.sh``), and assertions on every scenario's checks.json: the
failing set must equal the baseline in ``expected-failures.yml`` exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from .harness import RUNNER, Run, assert_matches_baseline, everything_server, report, run_harness

BASELINE = yaml.safe_load((Path(__file__).with_name("expected-failures.yml")).read_text())
TASKS_SCENARIOS = (
    "tasks-lifecycle",
    "tasks-capability-negotiation",
    "tasks-wire-fields",
    "tasks-request-state-removal",
    "tasks-mrtr-input",
    "tasks-request-headers",
    "tasks-dispatch-and-envelope",
    "tasks-required-task-error",
    "tasks-mrtr-composition",
)
SCORED_SIZE = {"2025-11-25": 30, "2026-07-28": 37}
MIN_RUN = {"2025-11-25": 33, "2026-07-28": 50, "all": 65}
"""How many scenarios each selection runs with harness 0.2.0-alpha.12 (contract §7)."""

pytestmark = [
    pytest.mark.timeout(600),
    pytest.mark.skipif(not RUNNER.exists(), reason=f"conformance runner not found at {RUNNER}"),
]


def test_every_baseline_entry_has_a_reason() -> None:
    assert set(BASELINE) == {"2025-11-25", "2026-07-28", "all"}
    for selection, entries in BASELINE.items():
        for scenario, reason in (entries or {}).items():
            assert isinstance(reason, str) and len(reason) > 20, (
                f"{selection}/{scenario} needs a reason"
            )


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("everything") / "server.log"
    with everything_server(log) as url:
        yield url


@pytest.fixture(scope="module")
def harness(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Run]:
    """Runs each selection once per module, on first use."""
    runs: dict[str, Run] = {}

    def get(selection: str) -> Run:
        if selection not in runs:
            out = tmp_path_factory.mktemp(f"results-{selection}")
            runs[selection] = run_harness(server_url, selection, out)
        return runs[selection]

    return get


@pytest.mark.parametrize("selection", ["2025-11-25", "2026-07-28", "all"])
def test_failures_match_the_baseline(harness: Callable[[str], Run], selection: str) -> None:
    run = harness(selection)
    expected = set(BASELINE[selection] or {})
    assert_matches_baseline(run, expected, MIN_RUN[selection], "expected-failures.yml")


@pytest.mark.parametrize("selection", ["2025-11-25", "2026-07-28"])
def test_every_scored_scenario_passes(harness: Callable[[str], Run], selection: str) -> None:
    run = harness(selection)
    assert len(run.scored) == SCORED_SIZE[selection]
    missing = [s for s in run.scored if s not in run.scenarios]
    failing = [s for s in run.scored if s in run.failing]
    assert not missing and not failing, f"missing {missing}, failing:\n{report(run, set(failing))}"
    assert run.returncode == 0, run.output[-2000:]
    for name in run.scored:
        assert "SUCCESS" in run.scenarios[name].statuses, (
            f"{name} passed without a single successful check"
        )


@pytest.mark.parametrize("selection", ["2026-07-28", "all"])
def test_tasks_extension_scenarios_pass(harness: Callable[[str], Run], selection: str) -> None:
    run = harness(selection)
    for name in TASKS_SCENARIOS:
        scenario = run.scenarios.get(name)
        assert scenario is not None, f"{name} did not run"
        assert scenario.passed, f"{name}: {scenario.failures}"
        assert scenario.statuses.count("SUCCESS") >= 2, f"{name}: {scenario.statuses}"
