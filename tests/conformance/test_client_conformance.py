"""Our client (``python -m examples.conformance_client``) against the official harness in
client mode: the harness starts a mock server (and authorization servers) per scenario
and runs our client against each. The failing set must equal the baseline in
``client-expected-failures.yml`` exactly, and every scored scenario must pass.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from .harness import CLIENT_RUNNER, REPO, Run, assert_matches_baseline, report, run_client_harness

BASELINE = yaml.safe_load(Path(__file__).with_name("client-expected-failures.yml").read_text())
COMMAND = f"{shlex.quote(sys.executable)} -m examples.conformance_client"
TIMEOUT_MS = "120000"
"""Per scenario: the harness runs every scenario at once, one client process each, which
on a small shared machine takes far longer than the harness's 30 s default."""
SCORED_SIZE = {"2025-11-25": 18, "2026-07-28": 32}
MIN_RUN = {"2025-11-25": 25, "2026-07-28": 39, "all": 48}
"""How many scenarios each selection runs with harness 0.2.0-alpha.12."""
EXTENSIONS = (
    "auth/client-credentials-jwt",
    "auth/client-credentials-basic",
    "auth/enterprise-managed-authorization",
    "auth/dpop",
    "auth/dpop-nonce",
    "auth/wif-jwt-bearer",
)

pytestmark = [
    pytest.mark.timeout(900),
    pytest.mark.skipif(
        not CLIENT_RUNNER.exists(), reason=f"conformance runner not found at {CLIENT_RUNNER}"
    ),
]


def test_every_baseline_entry_has_a_reason() -> None:
    assert set(BASELINE) == {"2025-11-25", "2026-07-28", "all"}
    for selection, entries in BASELINE.items():
        for scenario, reason in (entries or {}).items():
            assert isinstance(reason, str) and len(reason) > 20, f"{selection}/{scenario}"


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Run]:
    """Runs each selection once per module, on first use."""
    runs: dict[str, Run] = {}

    def get(selection: str) -> Run:
        if selection not in runs:
            out = tmp_path_factory.mktemp(f"client-{selection}")
            run = run_client_harness(COMMAND, selection, out, "--timeout", TIMEOUT_MS)
            runs[selection] = _failures_retried_alone(run, out / "alone")
        return runs[selection]

    return get


def _failures_retried_alone(run: Run, out: Path) -> Run:
    """Each scenario that failed in the parallel run, run again on its own. The harness
    starts every scenario's client at once; on a small loaded machine a sign-in or an
    elicitation round then outlives its timeout. A scenario that fails alone stays failed."""
    # --force: a scenario of the run is retried even where the harness would filter it out
    # at that wire on its own (the extension scenarios)
    wire = () if run.selection == "all" else ("--spec-version", run.selection, "--force")
    scenarios, lines = dict(run.scenarios), dict(run.lines)
    for name in sorted(run.failing):
        folder = out / name.replace("/", "-")
        alone = run_client_harness(
            COMMAND, f"scenario:{name}", folder, "--timeout", TIMEOUT_MS, *wire
        )
        if name in alone.scenarios:
            scenarios[name] = alone.scenarios[name]
            lines[name] = "PASS" if alone.scenarios[name].passed else "FAIL"
    still_failing = any(not s.passed for s in scenarios.values())
    returncode = run.returncode if still_failing or not run.failing else 0
    return replace(run, scenarios=scenarios, lines=lines, returncode=returncode)


@pytest.mark.parametrize("selection", ["2025-11-25", "2026-07-28", "all"])
def test_failures_match_the_baseline(harness: Callable[[str], Run], selection: str) -> None:
    run = harness(selection)
    expected = set(BASELINE[selection] or {})
    assert_matches_baseline(run, expected, MIN_RUN[selection], "client-expected-failures.yml")


@pytest.mark.parametrize("selection", ["2025-11-25", "2026-07-28"])
def test_every_scored_scenario_passes(harness: Callable[[str], Run], selection: str) -> None:
    run = harness(selection)
    assert len(run.scored) == SCORED_SIZE[selection], run.scored
    failing = [s for s in run.scored if s in run.failing]
    assert not failing, f"failing:\n{report(run, set(failing))}"
    assert run.returncode == 0, run.output[-2000:]
    for name in run.scored:
        assert "SUCCESS" in run.scenarios[name].statuses, f"{name}: no successful check"


@pytest.mark.parametrize("selection", ["2026-07-28", "all"])
def test_auth_extension_scenarios_pass(harness: Callable[[str], Run], selection: str) -> None:
    run = harness(selection)
    for name in EXTENSIONS:
        scenario = run.scenarios.get(name)
        assert scenario is not None, f"{name} did not run"
        assert scenario.passed, f"{name}: {scenario.failures}"
        assert scenario.statuses.count("SUCCESS") >= 3, f"{name}: {scenario.statuses}"


def test_the_client_uses_only_the_public_api() -> None:
    source = (REPO / "examples" / "conformance_client.py").read_text()
    imports = [
        line for line in source.splitlines() if line.startswith(("from mcp_foundry", "import "))
    ]
    imports = [line for line in imports if "mcp_foundry" in line]
    assert imports and all(
        line.startswith(
            ("from mcp_foundry.runtime.http import", "from mcp_foundry.runtime.http.oauth import")
        )
        for line in imports
    ), imports
