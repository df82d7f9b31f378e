"""Run the everything server as a real process and the official conformance harness
against it (server leg), or the harness's mock servers against our conformance client
(client leg), and read back per-scenario results from the harness's checks.json files."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RUNNER = REPO.parent / "shared" / "conformance" / "run-server-conformance.sh"
CLIENT_RUNNER = RUNNER.with_name("run-client-conformance.sh")
_STAMP = re.compile(r"-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$")
_LINE = re.compile(r"^(PASS|FAIL|SKIP) (\S+)")
_CLIENT_LINE = re.compile(r"^\s*([✓✗]) (\S+?):? ")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_listening(port: int, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"everything server exited early with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"everything server did not listen on {port} within {timeout}s")


@contextmanager
def everything_server(log_path: Path) -> Iterator[str]:
    """``python -m examples.everything --transport http`` on a free loopback port → its URL."""
    port = free_port()
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "examples.everything",
                "--transport",
                "http",
                "--port",
                str(port),
            ],
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_listening(port, proc)
            yield f"http://127.0.0.1:{port}/mcp"
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()


@dataclass
class Scenario:
    name: str
    statuses: list[str] = field(default_factory=list)
    """Status of each check (SUCCESS, FAILURE, WARNING, SKIPPED, INFO)."""
    failures: list[str] = field(default_factory=list)
    """``id: message`` of each FAILURE check."""

    @property
    def passed(self) -> bool:
        return "FAILURE" not in self.statuses


@dataclass
class Run:
    selection: str
    returncode: int
    output: str
    scenarios: dict[str, Scenario]
    lines: dict[str, str]
    """The runner's own verdict per scenario (PASS/FAIL/SKIP lines)."""
    scored: list[str]

    @property
    def failing(self) -> set[str]:
        return {name for name, s in self.scenarios.items() if not s.passed}


def run_harness(url: str, selection: str, out_dir: Path, *extra: str, timeout: float = 240) -> Run:
    """``run-server-conformance.sh URL SELECTION`` with results in ``out_dir``."""
    env = {**os.environ, "OUTPUT_DIR": str(out_dir)}
    done = subprocess.run(
        ["bash", str(RUNNER), url, selection, *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )
    output = done.stdout + done.stderr
    scored_file = out_dir / ".scored-scenarios.txt"
    scored = scored_file.read_text().split() if scored_file.exists() else []
    lines = {m.group(2): m.group(1) for m in map(_LINE.match, output.splitlines()) if m}
    return Run(selection, done.returncode, output, read_checks(out_dir), lines, scored)


def run_client_harness(
    command: str, selection: str, out_dir: Path, *extra: str, timeout: float = 600
) -> Run:
    """``run-client-conformance.sh COMMAND SELECTION`` with results in ``out_dir``;
    ``scored`` is every scenario run minus those the harness lists as not scored."""
    env = {**os.environ, "OUTPUT_DIR": str(out_dir)}
    done = subprocess.run(
        ["bash", str(CLIENT_RUNNER), command, selection, *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        cwd=REPO,
    )
    output = done.stdout + done.stderr
    summary, _, unscored = output.partition("=== SUITE SUMMARY ===")[2].partition("Not scored")
    lines = {m.group(2): m.group(1) for m in map(_CLIENT_LINE.match, summary.splitlines()) if m}
    scenarios = read_checks(out_dir)
    not_scored = {m.group(2) for m in map(_CLIENT_LINE.match, unscored.splitlines()) if m}
    scored = sorted(set(scenarios) - not_scored) if selection != "all" else []
    verdicts = {name: "PASS" if mark == "✓" else "FAIL" for name, mark in lines.items()}
    return Run(selection, done.returncode, output, scenarios, verdicts, scored)


def read_checks(out_dir: Path) -> dict[str, Scenario]:
    """Every ``[server-|auth/]<scenario>-<stamp>/checks.json`` under ``out_dir``."""
    scenarios: dict[str, Scenario] = {}
    for checks_file in sorted(out_dir.rglob("checks.json")):
        folder = checks_file.parent.relative_to(out_dir).as_posix()
        if not _STAMP.search(folder):
            continue
        name = _STAMP.sub("", folder).removeprefix("server-")
        scenario = scenarios.setdefault(name, Scenario(name))
        for check in json.loads(checks_file.read_text()):
            scenario.statuses.append(check["status"])
            if check["status"] == "FAILURE":
                scenario.failures.append(f"{check['id']}: {check.get('errorMessage', '')}")
    return scenarios


def report(run: Run, names: set[str]) -> str:
    """The failed checks of ``names``, one scenario a line."""
    return "\n".join(
        f"{n}: {run.scenarios[n].failures}" for n in sorted(names) if n in run.scenarios
    )


def assert_matches_baseline(run: Run, expected: set[str], minimum: int, baseline: str) -> None:
    """The failing set is exactly ``expected`` (the ``baseline`` file's entries), at least
    ``minimum`` scenarios ran, and the runner's own verdicts agree with its checks.json."""
    assert len(run.scenarios) >= minimum, run.output[-3000:]
    unexpected = run.failing - expected
    fixed = expected - run.failing
    assert not unexpected, f"new failures:\n{report(run, unexpected)}"
    assert not fixed, f"now passing, remove from {baseline}: {sorted(fixed)}"
    for name, scenario in run.scenarios.items():
        assert run.lines.get(name) == ("PASS" if scenario.passed else "FAIL"), name
